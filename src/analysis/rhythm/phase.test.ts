// The beat goes where the kick, the bass and the chord changes are, even when the loudest hit is on the "and".
import { describe, expect, it } from "vitest";
import { analyzeRhythm, beatFMeasure } from "./index.js";
import { correctPhase, type PhaseEvidence } from "./phase.js";
import { synthesizeSong } from "./testing.js";

const RATE = 48_000;
const TOL = Math.round(0.07 * RATE);

/** Halfway points between consecutive beats: where a tracker half a beat off puts its beats. */
const offBeats = (beats: readonly number[]) => beats.slice(1).map((b, i) => Math.round((b + beats[i]!) / 2));

describe("a skank beat: kick on every beat, a louder snare on every 'and'", () => {
  for (const bpm of [110, 140, 170]) {
    it(`counts the kicks at ${bpm} BPM, not the louder snares between them`, () => {
      const song = synthesizeSong({
        parts: [{ kind: "groove", bars: Math.round((30 * bpm) / 240), bpm, pattern: "skank" }],
      });
      const rhythm = analyzeRhythm(song.samples, song.sampleRate);
      expect(Math.abs(rhythm.tempoBpm! - bpm) / bpm).toBeLessThanOrEqual(0.02);
      expect(beatFMeasure(rhythm.beats, song.beats, TOL)).toBeGreaterThanOrEqual(0.95);
      expect(beatFMeasure(rhythm.beats, offBeats(song.beats), TOL)).toBeLessThanOrEqual(0.05);
    });
  }

  it("keeps one phase through a song that goes from a rock groove to a skank beat and back", () => {
    const bpm = 140;
    const song = synthesizeSong({
      parts: [
        { kind: "groove", bars: 8, bpm },
        { kind: "groove", bars: 12, bpm, pattern: "skank" },
        { kind: "groove", bars: 8, bpm },
      ],
    });
    const rhythm = analyzeRhythm(song.samples, song.sampleRate);
    expect(beatFMeasure(rhythm.beats, song.beats, TOL)).toBeGreaterThanOrEqual(0.95);
  });
});

describe("correctPhase (plain values)", () => {
  const period = 40;
  const count = 48;
  const frames = period * (count + 2);
  /** Beats at frame 20 + k·period: half a beat off a pulse whose beats are at k·period. */
  const tracked = Array.from({ length: count }, (_, k) => period / 2 + k * period);

  /** Low-band hits at the given frames, no harmonic change anywhere. */
  function evidence(hits: readonly number[]): PhaseEvidence {
    const low = new Float32Array(frames);
    for (const h of hits) low[h] = 1;
    return { low, tonal: new Float32Array(frames), tonalBands: 1 };
  }

  it("moves beats half a beat when the kicks are all between them", () => {
    const kicks = Array.from({ length: count + 1 }, (_, k) => k * period);
    const moved = correctPhase(tracked, evidence(kicks));
    expect(moved.length).toBeGreaterThanOrEqual(count - 1);
    expect(moved.every((b) => b % period === 0)).toBe(true);
  });

  it("moves only the stretch the kicks contradict, not an ambiguous stretch or a single pushed kick", () => {
    // Beats 0–15: kicks on the beats and between them alike, one of them pushed half a beat.
    // Beats 16–31: kicks between the tracked beats. Beats 32–47: kicks on them.
    const kicks = tracked.flatMap((b, i) => {
      if (i < 16) return i === 8 ? [b + period / 2] : [b, b + period / 2];
      return i < 32 ? [b + period / 2] : [b];
    });
    const moved = correctPhase(tracked, evidence(kicks));
    expect(moved.slice(0, 15)).toEqual(tracked.slice(0, 15));
    expect(moved.slice(-15)).toEqual(tracked.slice(-15));
    const middle = moved.filter((b) => b > tracked[17]! && b < tracked[30]!);
    expect(middle.length).toBeGreaterThanOrEqual(12);
    expect(middle.every((b) => b % period === 0)).toBe(true);
    // The edges of the moved stretch leave no beat closer than 3/4 of a period or a gap of two.
    const gaps = moved.slice(1).map((b, i) => b - moved[i]!);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(0.75 * period);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(1.5 * period);
  });
});
