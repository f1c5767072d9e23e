// Voice activity: where a synthesised voice sings over a drum loop, silence, fallback, and clean shutdown.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Worker } from "node:worker_threads";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Cancelled } from "../../errors/index.js";
import { decodeMono, findTools } from "../../media/index.js";
import type { Span } from "../types.js";
import {
  detectVoice,
  resample48kTo16k,
  spansFromProbabilities,
  VAD_HOP_SAMPLES,
  type VoiceThresholds,
  voicingScore,
} from "./index.js";

const SR = 48_000;
const tools = findTools();
let dir = "";
let song: Float32Array;
let truth: Span[];

/** 10 ms frames of the stem above −40 dB of its loudest frame, merged across gaps under 250 ms. */
function stemSpans(stem: Float32Array): Span[] {
  const hop = 480;
  const frames = Math.ceil(stem.length / hop);
  const rms: number[] = [];
  for (let f = 0; f < frames; f++) {
    let p = 0;
    for (let i = f * hop; i < Math.min(stem.length, (f + 1) * hop); i++) p += (stem[i] ?? 0) ** 2;
    rms.push(Math.sqrt(p / hop));
  }
  const thr = Math.max(...rms) * 0.01;
  const out: Span[] = [];
  rms.forEach((r, f) => {
    if (r <= thr) return;
    const last = out[out.length - 1];
    if (last && f * hop - last.end < 25 * hop)
      out[out.length - 1] = { start: last.start, end: (f + 1) * hop };
    else out.push({ start: f * hop, end: (f + 1) * hop });
  });
  return out;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "refrain-voice-"));
  const sh = (cmd: string, args: string[]) => execFileSync(cmd, args, { stdio: "pipe" });
  // Two sung phrases with a long rest between them, over a 120 BPM drum loop for 16 s.
  sh("espeak-ng", [
    "-v",
    "en-us",
    "-p",
    "65",
    "-s",
    "120",
    "-w",
    join(dir, "a.wav"),
    "the city lights are calling me home",
  ]);
  sh("espeak-ng", [
    "-v",
    "en-us",
    "-p",
    "45",
    "-s",
    "120",
    "-w",
    join(dir, "b.wav"),
    "we sing until the morning comes",
  ]);
  sh("sox", [
    "-n",
    "-r",
    "48000",
    "-c",
    "1",
    join(dir, "kick.wav"),
    "synth",
    "0.5",
    "sine",
    "150:45",
    "fade",
    "0",
    "0.5",
    "0.4",
  ]);
  sh("sox", [
    "-n",
    "-r",
    "48000",
    "-c",
    "1",
    join(dir, "hat.wav"),
    "synth",
    "0.25",
    "noise",
    "highpass",
    "7000",
    "fade",
    "0",
    "0.25",
    "0.2",
    "gain",
    "-14",
  ]);
  sh("sox", [join(dir, "kick.wav"), join(dir, "hat.wav"), join(dir, "bar.wav")]);
  sh("sox", [join(dir, "bar.wav"), join(dir, "drums.wav"), "repeat", "21"]);
  const ff = ["-hide_banner", "-loglevel", "error", "-y"];
  sh(tools.ffmpeg, [
    ...ff,
    ...["-i", join(dir, "a.wav"), "-i", join(dir, "b.wav")],
    "-filter_complex",
    "[0]aresample=48000,adelay=2000,apad=whole_dur=7[a];[1]aresample=48000,adelay=3000,apad=whole_dur=9[b];[a][b]concat=n=2:v=0:a=1",
    ...["-ac", "1", join(dir, "voice.wav")],
  ]);
  sh(tools.ffmpeg, [
    ...ff,
    ...["-i", join(dir, "drums.wav"), "-i", join(dir, "voice.wav")],
    "-filter_complex",
    "[0]volume=0.5[d];[d][1]amix=inputs=2:duration=shortest:normalize=0",
    ...["-ac", "1", "-ar", "48000", join(dir, "song.wav")],
  ]);
  song = await decodeMono(tools, join(dir, "song.wav"));
  truth = stemSpans(await decodeMono(tools, join(dir, "voice.wav")));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("detectVoice", () => {
  it("finds the sung phrases over drums with frame accuracy of at least 0.9 (10 ms frames)", async () => {
    expect(truth.length).toBeGreaterThanOrEqual(2);
    const voice = await detectVoice(song);
    expect(voice.source).toBe("vad");
    expect(voice.frameHopSamples).toBe(VAD_HOP_SAMPLES);
    expect(voice.probabilities.length).toBe(Math.ceil(song.length / VAD_HOP_SAMPLES));
    const score = voicingScore(voice.spans, truth, song.length);
    expect(score.accuracy).toBeGreaterThanOrEqual(0.9);
    // The rest between the phrases stays instrumental.
    const gapStart = truth[0]?.end ?? 0;
    const gapEnd = truth[truth.length - 1]?.start ?? 0;
    const mid = (gapStart + gapEnd) / 2;
    expect(voice.spans.some((s) => s.start <= mid && s.end > mid)).toBe(false);
  });

  it("gives the same answer in one worker without batching as in two batched workers", async () => {
    const plain = await detectVoice(song, { threads: 1, streams: 1 });
    const fast = await detectVoice(song, { threads: 2, streams: 16 });
    const agree = voicingScore(fast.spans, plain.spans, song.length).accuracy;
    expect(agree).toBeGreaterThanOrEqual(0.97);
  });

  it("finds no voice in silence", async () => {
    const voice = await detectVoice(new Float32Array(SR * 25));
    expect(voice.spans).toEqual([]);
  });

  it("shuts every worker thread down when it finishes", async () => {
    const exits: Promise<number>[] = [];
    const onWorker = (w: Worker) => exits.push(new Promise((r) => w.once("exit", r)));
    await detectVoice(song, { onWorker, threads: 2 });
    expect(exits.length).toBeGreaterThanOrEqual(1);
    await expect(Promise.all(exits)).resolves.toBeDefined();
  });

  it("stops its workers and throws Cancelled when aborted", async () => {
    const exits: Promise<number>[] = [];
    const controller = new AbortController();
    const onWorker = (w: Worker) => {
      exits.push(new Promise((r) => w.once("exit", r)));
      controller.abort();
    };
    await expect(detectVoice(song, { onWorker, signal: controller.signal })).rejects.toBeInstanceOf(
      Cancelled,
    );
    await Promise.all(exits);
  });

  it("falls back to the energy estimate, with a warning, when the model cannot load", async () => {
    const voice = await detectVoice(song, { modelPath: join(dir, "missing.onnx") });
    expect(voice.source).toBe("energy");
    expect(voice.warnings.join(" ")).toMatch(/voice model could not run/);
    // The estimate cannot tell a voice from loud drums, but it must not miss the voice.
    expect(voicingScore(voice.spans, truth, song.length).recall).toBeGreaterThan(0.9);
  });
});

describe("spansFromProbabilities", () => {
  const hop = 480; // 10 ms frames
  const t: VoiceThresholds = { onset: 0.5, offset: 0.3, mergeGapMs: 0, minSpanMs: 0, padMs: 0 };
  const probs = (s: string) => Array.from(s, (c) => Number(c) / 10);

  it("opens at the onset threshold and stays open through dips above the offset threshold", () => {
    expect(spansFromProbabilities(probs("0064446000"), hop, 4800, t)).toEqual([
      { start: 2 * hop, end: 7 * hop },
    ]);
  });

  it("merges spans separated by less than the merge gap and drops spans shorter than the minimum", () => {
    const p = probs("0990099000000900");
    expect(spansFromProbabilities(p, hop, 16 * hop, { ...t, mergeGapMs: 30, minSpanMs: 20 })).toEqual([
      { start: hop, end: 7 * hop },
    ]);
  });

  it("pads spans but never past the song's ends", () => {
    expect(spansFromProbabilities(probs("9900"), hop, 4 * hop, { ...t, padMs: 50 })).toEqual([
      { start: 0, end: 4 * hop },
    ]);
  });
});

describe("resample48kTo16k", () => {
  const tone = (hz: number) =>
    Float32Array.from({ length: SR }, (_, i) => Math.sin((2 * Math.PI * hz * i) / SR));
  const rms = (x: Float32Array) =>
    Math.sqrt(x.slice(100, -100).reduce((s, v) => s + v * v, 0) / (x.length - 200));

  it("keeps a voice-band tone at the same level and time (a third as many samples)", () => {
    const out = resample48kTo16k(tone(1000));
    expect(out.length).toBe(16_000);
    expect(rms(out)).toBeCloseTo(Math.SQRT1_2, 1);
    // Sample n of the output is input sample 3n: the phase matches.
    expect(out[4]).toBeCloseTo(Math.sin((2 * Math.PI * 1000 * 12) / SR), 1);
  });

  it("removes content above the new Nyquist frequency instead of aliasing it", () => {
    expect(rms(resample48kTo16k(tone(12_000)))).toBeLessThan(0.05);
  });
});
