// What a musician expects of tempo, beats, meter and downbeats, on drum-machine songs whose beats are known.
import { describe, expect, it } from "vitest";
import { analyzeRhythm, beatFMeasure, type Rhythm } from "./index.js";
import { type SongSpec, type SynthSong, synthesizeSong } from "./testing.js";

const RATE = 48_000;
const TOL = Math.round(0.07 * RATE);

function analyse(spec: SongSpec): { song: SynthSong; rhythm: Rhythm } {
  const song = synthesizeSong(spec);
  return { song, rhythm: analyzeRhythm(song.samples, song.sampleRate) };
}

/** Bars that make a song of about `seconds` at `bpm`. */
const barsFor = (seconds: number, bpm: number, meter = 4) => Math.round((seconds * bpm) / 60 / meter);

function expectTempo(rhythm: Rhythm, bpm: number): void {
  expect(rhythm.tempoBpm).not.toBeNull();
  expect(Math.abs(rhythm.tempoBpm! - bpm) / bpm).toBeLessThanOrEqual(0.02);
}

describe("steady 4/4 grooves", () => {
  for (const bpm of [70, 90, 120, 145, 170]) {
    it(`finds the beats, tempo and downbeats at ${bpm} BPM`, () => {
      const { song, rhythm } = analyse({ parts: [{ kind: "groove", bars: barsFor(30, bpm), bpm }] });
      expect(rhythm.steady).toBe(true);
      expectTempo(rhythm, bpm);
      expect(beatFMeasure(rhythm.beats, song.beats, TOL)).toBeGreaterThanOrEqual(0.97);
      expect(rhythm.meter).toBe(4);
      expect(beatFMeasure(rhythm.downbeats, song.downbeats, TOL)).toBeGreaterThanOrEqual(0.97);
      expect(rhythm.warnings).toEqual([]);
      expect(rhythm.beats.every((b, i) => Number.isInteger(b) && (i === 0 || b > rhythm.beats[i - 1]!))).toBe(
        true,
      );
      expect(rhythm.downbeats.every((d) => rhythm.beats.includes(d))).toBe(true);
    });
  }

  it("counts a 180 BPM groove at 180, not in half time, with or without hi-hats", () => {
    for (const hats of ["none", "eighths"] as const) {
      const { song, rhythm } = analyse({
        parts: [{ kind: "groove", bars: barsFor(24, 180), bpm: 180, hats }],
      });
      expectTempo(rhythm, 180);
      expect(beatFMeasure(rhythm.beats, song.beats, TOL)).toBeGreaterThanOrEqual(0.97);
    }
  });

  it("keeps the beat under a noise floor 30 dB down", () => {
    const { song, rhythm } = analyse({ parts: [{ kind: "groove", bars: 16, bpm: 128 }], noiseFloorDb: -30 });
    expectTempo(rhythm, 128);
    expect(beatFMeasure(rhythm.beats, song.beats, TOL)).toBeGreaterThanOrEqual(0.97);
  });

  it("reports beats on the 48 kHz timeline when the input is 44.1 kHz", () => {
    const { song, rhythm } = analyse({ parts: [{ kind: "groove", bars: 16, bpm: 120 }], sampleRate: 44_100 });
    expect(beatFMeasure(rhythm.beats, song.beats, TOL)).toBeGreaterThanOrEqual(0.97);
    const meanError =
      rhythm.beats
        .map((b) => Math.min(...song.beats.map((r) => Math.abs(r - b))))
        .reduce((s, e) => s + e, 0) / rhythm.beats.length;
    expect(meanError).toBeLessThan(0.02 * RATE);
  });
});

describe("meter", () => {
  for (const bpm of [96, 150, 178]) {
    it(`hears a waltz at ${bpm} BPM as 3/4 with the bass on the downbeat`, () => {
      const { song, rhythm } = analyse({
        parts: [{ kind: "groove", bars: barsFor(24, bpm, 3), bpm, meter: 3 }],
      });
      expect(rhythm.meter).toBe(3);
      expectTempo(rhythm, bpm);
      expect(beatFMeasure(rhythm.beats, song.beats, TOL)).toBeGreaterThanOrEqual(0.97);
      expect(beatFMeasure(rhythm.downbeats, song.downbeats, TOL)).toBeGreaterThanOrEqual(0.97);
    });
  }
});

describe("feel and tempo changes", () => {
  it("keeps the beat on the quarter notes under triplet swing", () => {
    const { song, rhythm } = analyse({ parts: [{ kind: "groove", bars: 16, bpm: 110, swing: 2 / 3 }] });
    expectTempo(rhythm, 110);
    expect(beatFMeasure(rhythm.beats, song.beats, TOL)).toBeGreaterThanOrEqual(0.97);
  });

  it("follows a step from 100 to 130 BPM and says the tempo changes", () => {
    const { song, rhythm } = analyse({
      parts: [
        { kind: "groove", bars: 12, bpm: 100 },
        { kind: "groove", bars: 16, bpm: 130 },
      ],
    });
    expect(beatFMeasure(rhythm.beats, song.beats, TOL)).toBeGreaterThanOrEqual(0.95);
    expect(beatFMeasure(rhythm.downbeats, song.downbeats, TOL)).toBeGreaterThanOrEqual(0.95);
    expect(rhythm.warnings.some((w) => w.startsWith("tempo changes"))).toBe(true);
  });

  it("follows a gradual ramp from 90 to 140 BPM", () => {
    const { song, rhythm } = analyse({ parts: [{ kind: "groove", bars: 18, bpm: 90, bpmEnd: 140 }] });
    expect(beatFMeasure(rhythm.beats, song.beats, TOL)).toBeGreaterThanOrEqual(0.95);
  });
});

describe("a loud voice over steady drums", () => {
  // Issue 3: sung syllables 6 dB over the drums, off the beat and gliding in pitch, hid the pulse.
  for (const bpm of [90, 120, 150]) {
    it(`keeps every beat at ${bpm} BPM under a voice 6 dB louder than the drums`, () => {
      const { song, rhythm } = analyse({
        parts: [{ kind: "groove", bars: barsFor(30, bpm), bpm }],
        voiceDb: 6,
      });
      expect(rhythm.steady).toBe(true);
      expectTempo(rhythm, bpm);
      expect(beatFMeasure(rhythm.beats, song.beats, TOL)).toBeGreaterThanOrEqual(0.97);
    });
  }

  it("finds no steady beat in the same voice alone", () => {
    const { rhythm } = analyse({ parts: [{ kind: "silence", seconds: 30 }], voiceDb: 6 });
    expect(rhythm.steady).toBe(false);
    expect(rhythm.tempoBpm).toBeNull();
  });
});
