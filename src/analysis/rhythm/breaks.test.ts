// Where a musician expects beats and where not: quiet intros, breaks, fades, beatless audio, bad input.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { Cancelled, UserInputError } from "../../errors/index.js";
import { analyzeRhythm, beatFMeasure, NO_STEADY_BEAT, type Rhythm } from "./index.js";
import { beatsBetween, type SongSpec, type SynthSong, synthesizeSong } from "./testing.js";

const RATE = 48_000;
const TOL = Math.round(0.07 * RATE);

function analyse(spec: SongSpec): { song: SynthSong; rhythm: Rhythm } {
  const song = synthesizeSong(spec);
  return { song, rhythm: analyzeRhythm(song.samples, song.sampleRate) };
}

describe("quiet stretches", () => {
  it("places no beats in a 12 s quiet intro and finds them once the drums come in", () => {
    const { song, rhythm } = analyse({
      parts: [
        { kind: "pad", seconds: 12, gainDb: -20 },
        { kind: "groove", bars: 12, bpm: 120 },
      ],
    });
    expect(rhythm.beats.filter((b) => b < 12 * RATE - TOL)).toEqual([]);
    expect(beatFMeasure(rhythm.beats, song.beats, TOL)).toBeGreaterThanOrEqual(0.97);
  });

  it("places no beats in a 20 s silent break, and counts on after it", () => {
    const part = { kind: "groove", bars: 8, bpm: 120 } as const; // 16 s
    const { song, rhythm } = analyse({ parts: [part, { kind: "silence", seconds: 20 }, part] });
    expect(rhythm.beats.filter((b) => b > 16 * RATE + TOL && b < 36 * RATE - TOL)).toEqual([]);
    expect(beatFMeasure(rhythm.beats, song.beats, TOL)).toBeGreaterThanOrEqual(0.97);
    expect(rhythm.steady).toBe(true);
  });

  it("places no beats in a 20 s break that keeps a hiss 30 dB down", () => {
    const part = { kind: "groove", bars: 8, bpm: 120 } as const;
    const { song, rhythm } = analyse({
      parts: [part, { kind: "silence", seconds: 20 }, part],
      noiseFloorDb: -30,
    });
    expect(rhythm.beats.filter((b) => b > 16 * RATE + TOL && b < 36 * RATE - TOL)).toEqual([]);
    expect(beatFMeasure(rhythm.beats, song.beats, TOL)).toBeGreaterThanOrEqual(0.97);
  });

  it("places no beats in a loud 20 s stretch of noise between two grooves", () => {
    const part = { kind: "groove", bars: 8, bpm: 120 } as const;
    const { song, rhythm } = analyse({ parts: [part, { kind: "noise", seconds: 20, gainDb: -6 }, part] });
    expect(rhythm.beats.filter((b) => b > 16 * RATE + TOL && b < 36 * RATE - TOL)).toEqual([]);
    expect(beatFMeasure(rhythm.beats, song.beats, TOL)).toBeGreaterThanOrEqual(0.97);
  });

  it("starts the beats where the drums join a beatless melody", () => {
    const { song, rhythm } = analyse({
      parts: [
        { kind: "melody", seconds: 20 },
        { kind: "groove", bars: 10, bpm: 120 },
      ],
    });
    expect(rhythm.beats.filter((b) => b < 20 * RATE - TOL)).toEqual([]);
    expect(beatFMeasure(rhythm.beats, song.beats, TOL)).toBeGreaterThanOrEqual(0.97);
  });

  it("counts through a one-bar stop at the established tempo", () => {
    const part = { kind: "groove", bars: 8, bpm: 120 } as const; // 16 s, then 2 s = 4 beats of silence
    const { song, rhythm } = analyse({ parts: [part, { kind: "silence", seconds: 2 }, part] });
    const inStop = rhythm.beats.filter((b) => b > 16 * RATE - TOL && b < 18 * RATE - TOL);
    const grid = [16, 16.5, 17, 17.5].map((s) => s * RATE);
    expect(beatFMeasure(inStop, grid, TOL, { trimBeforeSamples: 0 })).toBe(1);
    expect(beatFMeasure(rhythm.beats, [...song.beats, ...grid], TOL)).toBeGreaterThanOrEqual(0.97);
  });

  it("keeps the beat through an 8 s fade in and an 8 s fade out", () => {
    const { song, rhythm } = analyse({
      parts: [{ kind: "groove", bars: 16, bpm: 120 }],
      fadeInSeconds: 8,
      fadeOutSeconds: 8,
    });
    expect(beatFMeasure(rhythm.beats, song.beats, TOL)).toBeGreaterThanOrEqual(0.97);
    // The beats inside the fades themselves, not only the loud middle.
    expect(
      beatFMeasure(rhythm.beats, beatsBetween(song.beats, 5, 8), TOL, { trimBeforeSamples: 0 }),
    ).toBeGreaterThan(0);
  });
});

describe("no steady beat", () => {
  const beatless: [string, SongSpec][] = [
    ["noise", { parts: [{ kind: "noise", seconds: 30 }] }],
    ["a rubato melody", { parts: [{ kind: "melody", seconds: 30 }] }],
    ["silence", { parts: [{ kind: "silence", seconds: 10 }] }],
  ];
  for (const [name, spec] of beatless) {
    it(`says so for ${name}, so the planner cuts on pauses`, () => {
      const { rhythm } = analyse(spec);
      expect(rhythm.steady).toBe(false);
      expect(rhythm.tempoBpm).toBeNull();
      expect(rhythm.beats).toEqual([]);
      expect(rhythm.meter).toBeNull();
      expect(rhythm.warnings).toContain(NO_STEADY_BEAT);
    });
  }

  // Speech from espeak-ng (installed with the project's Debian packages), read at its own 22.05 kHz.
  const speech = spawnSync(
    "espeak-ng",
    [
      "--stdout",
      "-s",
      "160",
      "Refrain turns a song and one still image into a music video. It cuts the song at natural points, " +
        "drives a video model once per clip, keeps every take, and renders the final video with " +
        "transitions and karaoke lyrics, so the whole path can be previewed before anything is paid for.",
    ],
    { maxBuffer: 1 << 24 },
  );
  it.skipIf(speech.status !== 0)("says so for speech (espeak-ng)", () => {
    const wav = speech.stdout;
    const rate = wav.readUInt32LE(24);
    const data = wav.indexOf("data") + 8;
    const samples = new Float32Array(Math.floor((wav.length - data) / 2));
    for (let i = 0; i < samples.length; i++) samples[i] = wav.readInt16LE(data + 2 * i) / 32768;
    const rhythm = analyzeRhythm(samples, rate);
    expect(rhythm.steady).toBe(false);
    expect(rhythm.beats).toEqual([]);
    expect(rhythm.warnings).toContain(NO_STEADY_BEAT);
  });

  it("handles audio too short to hold a beat", () => {
    const rhythm = analyzeRhythm(new Float32Array(100), RATE);
    expect(rhythm.steady).toBe(false);
    expect(rhythm.beats).toEqual([]);
  });
});

describe("inputs", () => {
  it("rejects a sample rate that is not a positive number with a typed error", () => {
    expect(() => analyzeRhythm(new Float32Array(10), 0)).toThrow(UserInputError);
    expect(() => analyzeRhythm(new Float32Array(10), Number.NaN)).toThrow(UserInputError);
  });

  it("treats non-finite samples as silence instead of failing", () => {
    const song = synthesizeSong({ parts: [{ kind: "groove", bars: 12, bpm: 120 }] });
    const damaged = song.samples.slice();
    damaged.fill(Number.NaN, 10 * RATE, 10 * RATE + 100);
    const rhythm = analyzeRhythm(damaged, RATE);
    expect(beatFMeasure(rhythm.beats, song.beats, TOL)).toBeGreaterThanOrEqual(0.97);
  });

  it("stops when its signal has fired", () => {
    const controller = new AbortController();
    controller.abort();
    expect(() => analyzeRhythm(new Float32Array(RATE), RATE, { signal: controller.signal })).toThrow(
      Cancelled,
    );
  });

  it("returns the onset envelope the beats were found in", () => {
    const { rhythm } = analyse({ parts: [{ kind: "groove", bars: 4, bpm: 120 }] });
    const env = rhythm.onsetEnvelope!;
    expect(env.hopSamples).toBeGreaterThan(0);
    // One value per hop over the song's 8.5 s.
    expect(Math.abs(env.values.length * env.hopSamples - 8.5 * RATE)).toBeLessThan(0.1 * RATE);
  });
});
