// A man singing on the "and" does not move the beat: his words start low-band onsets, not kicks.
import { describe, expect, it } from "vitest";
import { analyzeRhythm, beatFMeasure } from "./index.js";
import { onsetFrames } from "./onset.js";
import { synthesizeSong } from "./testing.js";

const RATE = 48_000;
const TOL = Math.round(0.07 * RATE);

/** Halfway points between consecutive beats: where a tracker half a beat off puts its beats. */
const offBeats = (beats: readonly number[]) => beats.slice(1).map((b, i) => Math.round((b + beats[i]!) / 2));

describe("a low male voice with a word on every 'and'", () => {
  for (const [bpm, voiceDb] of [
    [100, 0],
    [120, 6],
    [160, 3],
  ] as const) {
    it(`keeps the beats on the kicks and snares at ${bpm} BPM, voice ${voiceDb} dB over the drums`, () => {
      const song = synthesizeSong({
        parts: [{ kind: "groove", bars: Math.round((30 * bpm) / 240), bpm }],
        voiceDb,
        voiceStyle: "ands",
      });
      const rhythm = analyzeRhythm(song.samples, song.sampleRate);
      expect(Math.abs(rhythm.tempoBpm! - bpm) / bpm).toBeLessThanOrEqual(0.02);
      expect(beatFMeasure(rhythm.beats, song.beats, TOL)).toBeGreaterThanOrEqual(0.9);
      expect(beatFMeasure(rhythm.beats, offBeats(song.beats), TOL)).toBeLessThanOrEqual(0.1);
    });
  }
});

describe("onsetFrames' sub-bass", () => {
  it("hears the kicks on the beats, not the words on the 'and' that the wider low band hears", () => {
    const song = synthesizeSong({
      parts: [{ kind: "groove", bars: 8, bpm: 120 }],
      voiceDb: 6,
      voiceStyle: "ands",
    });
    const onsets = onsetFrames(song.samples, RATE);
    /** Mean of the strongest value within 3 frames of each position. */
    const near = (values: Float32Array, positions: readonly number[]) =>
      positions.reduce((sum, p) => {
        const f = Math.round((p - onsets.offsetSamples) / onsets.hopSamples);
        let best = 0;
        for (let i = f - 3; i <= f + 3; i++) best = Math.max(best, values[i] ?? 0);
        return sum + best;
      }, 0) / positions.length;
    const ands = offBeats(song.beats);
    expect(near(onsets.low, ands) / near(onsets.low, song.beats)).toBeGreaterThan(0.8);
    expect(near(onsets.subBass, ands) / near(onsets.subBass, song.beats)).toBeLessThan(0.4);
  });
});
