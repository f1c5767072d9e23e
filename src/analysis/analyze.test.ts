// analyzeSong: bad and silent files fail with one clear line; a song yields beats, voice and lyric timings.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UserInputError } from "../errors/index.js";
import { findTools } from "../media/index.js";
import { analysisToJson, analyzeSamples, analyzeSong, parseLyrics } from "./index.js";
import type { VoiceResult } from "./voice/index.js";

const SR = 48_000;
const tools = findTools();
let dir = "";
const at = (name: string) => join(dir, name);
/** Where the voice sings in the song built below, in seconds. */
const VOICE_FROM = 4;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "refrain-analyze-"));
  const sh = (cmd: string, args: string[]) => execFileSync(cmd, args, { stdio: "pipe" });
  // 20 s at 120 BPM: a kick every 0.5 s, and one sung phrase from 4 s.
  sh("sox", [
    "-n",
    "-r",
    "48000",
    "-c",
    "1",
    at("kick.wav"),
    "synth",
    "0.5",
    "sine",
    "150:45",
    "fade",
    "0",
    "0.5",
    "0.4",
  ]);
  sh("sox", [at("kick.wav"), at("drums.wav"), "repeat", "39"]);
  sh("espeak-ng", [
    "-v",
    "en-us",
    "-p",
    "60",
    "-s",
    "120",
    "-w",
    at("v.wav"),
    "hold on tonight we sing until the morning",
  ]);
  sh(tools.ffmpeg, [
    ...["-hide_banner", "-loglevel", "error", "-y", "-i", at("drums.wav"), "-i", at("v.wav")],
    "-filter_complex",
    `[1]aresample=48000,adelay=${VOICE_FROM * 1000}[v];[0]volume=0.5[d];[d][v]amix=inputs=2:duration=first:normalize=0`,
    ...["-ac", "2", "-ar", "44100", "-c:a", "libmp3lame", at("song.mp3")],
  ]);
  sh(tools.ffmpeg, [
    "-hide_banner",
    "-loglevel",
    "error",
    "-y",
    "-f",
    "lavfi",
    "-i",
    "anullsrc=r=48000:cl=mono",
    "-t",
    "3",
    at("silent.wav"),
  ]);
  writeFileSync(at("notes.mp3"), "these are my notes, not a song\n");
  writeFileSync(
    at("song.lrc"),
    "[ti:test]\n[00:04.00]hold on tonight\n[00:06.00]we sing until the morning\n",
  );
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("analyzeSong", () => {
  it("rejects a text file named .mp3 with a UserInputError naming the file", async () => {
    const e = await analyzeSong(tools, at("notes.mp3")).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(UserInputError);
    expect((e as UserInputError).shortMessage).toContain(at("notes.mp3"));
    expect((e as UserInputError).shortMessage).not.toContain("\n");
  });

  it("rejects silent audio with a clear one-line error", async () => {
    const e = await analyzeSong(tools, at("silent.wav")).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(UserInputError);
    expect((e as UserInputError).shortMessage).toMatch(/song .*silent\.wav is silent/);
  });

  it("finds the beat and where the voice sings in a short mp3", async () => {
    const commands: string[] = [];
    const { analysis, samples } = await analyzeSong(tools, at("song.mp3"), {
      onCommand: (c) => commands.push(c),
    });
    // Decoded once, to mono 48 kHz.
    expect(commands.filter((c) => c.includes("f32le"))).toHaveLength(1);
    expect(analysis.sampleRate).toBe(SR);
    expect(Math.abs(samples.length - 20 * SR)).toBeLessThan(0.1 * SR);
    expect(analysis.durationSamples).toBe(samples.length);

    expect(analysis.tempoBpm).not.toBeNull();
    expect(Math.abs((analysis.tempoBpm ?? 0) - 120)).toBeLessThan(3);
    expect(analysis.beats.length).toBeGreaterThan(30);
    for (const b of analysis.beats) expect(b >= 0 && b < analysis.durationSamples).toBe(true);

    expect(analysis.vocalSource).toBe("vad");
    expect(analysis.vocal.length).toBeGreaterThan(0);
    const first = analysis.vocal[0];
    expect(Math.abs((first?.start ?? 0) / SR - VOICE_FROM)).toBeLessThan(0.3);
    for (const v of analysis.vocal)
      expect(v.start >= 0 && v.end <= analysis.durationSamples && v.start < v.end).toBe(true);
  });

  it("takes the vocal intervals from an LRC's timings instead of running the detector", async () => {
    const { analysis } = await analyzeSong(tools, at("song.mp3"), { lyricsPath: at("song.lrc") });
    expect(analysis.vocalSource).toBe("lyrics");
    expect(analysis.lyrics?.lines.map((l) => l.text)).toEqual([
      "hold on tonight",
      "we sing until the morning",
    ]);
    expect(analysis.vocal[0]?.start).toBe(4 * SR);
  });

  it("names a missing lyrics file", async () => {
    const e = await analyzeSong(tools, at("song.mp3"), { lyricsPath: at("nope.lrc") }).catch(
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(UserInputError);
    expect((e as UserInputError).shortMessage).toContain("nope.lrc");
  });
});

describe("analyzeSamples and analysisToJson", () => {
  const samples = new Float32Array(10 * SR);
  const voice: VoiceResult = {
    spans: [{ start: SR, end: 3 * SR + 24 }],
    frameHopSamples: 1536,
    probabilities: new Float32Array(0),
    source: "vad",
    warnings: [],
  };

  it("uses the given voice result, and places plain lyrics inside it", () => {
    const lyrics = parseLyrics("[Verse]\nla la la\n", "plain.txt", { durationSamples: samples.length });
    const a = analyzeSamples(samples, { voice, lyrics });
    expect(a.vocal).toEqual(voice.spans);
    expect(a.vocalSource).toBe("vad");
    const line = a.lyrics?.lines[0];
    expect(line && line.start >= SR && line.end <= 3 * SR + 24).toBe(true);
  });

  it("prefers timed lyrics over the voice result", () => {
    const lyrics = parseLyrics("[00:05.00]timed line\n", "t.lrc", { durationSamples: samples.length });
    const a = analyzeSamples(samples, { voice, lyrics });
    expect(a.vocalSource).toBe("lyrics");
    expect(a.vocal[0]?.start).toBe(5 * SR);
  });

  it("prints seconds rounded to milliseconds, computed from samples", () => {
    const json = analysisToJson(analyzeSamples(samples, { voice }));
    expect(json.duration_s).toBe(10);
    expect(json.sample_rate).toBe(SR);
    expect(json.vocal_intervals_s).toEqual([[1, 3.001]]);
    expect(json.lyrics_estimated).toBe(false);
    expect(Array.isArray(json.beats_s) && Array.isArray(json.warnings)).toBe(true);
  });
});
