// A song keeps its tempo through a passage that also fits 2:3 of it, and still follows a real change.
import { describe, expect, it } from "vitest";
import { analyzeRhythm, beatFMeasure } from "./index.js";
import { trackTempo } from "./tempo.js";
import { synthesizeSong } from "./testing.js";

const FRAME_RATE = 100;
const SECONDS = 100;

/**
 * An onset envelope with a hit on every beat at 180 BPM, light noise, and from 30 to 70 s extra
 * accents every one and a half beats (dotted quarters: a pattern that repeats at 120 BPM) of the
 * given strength relative to the beats.
 */
function dottedPassage(accent: number): Float32Array {
  const env = new Float32Array(SECONDS * FRAME_RATE);
  const beat = (60 / 180) * FRAME_RATE;
  for (let k = 0; k * beat < env.length; k++) env[Math.round(k * beat)] = 1;
  for (let k = 0; k * 1.5 * beat < 40 * FRAME_RATE; k++)
    env[Math.round(30 * FRAME_RATE + k * 1.5 * beat)]! += accent;
  let seed = 7;
  for (let i = 0; i < env.length; i++) {
    seed = (seed * 16_807) % 2_147_483_647;
    env[i]! += (0.3 * seed) / 2_147_483_647;
  }
  return env;
}

/** The tempo path's BPM at a time; tempos from 100 BPM up, so the song reads at 180 outside the passage. */
function bpmAt(env: Float32Array, seconds: number): number {
  const tempo = trackTempo(env, FRAME_RATE, { minBpm: 100, maxBpm: 200 });
  return (60 * FRAME_RATE) / tempo.periodAt[seconds * FRAME_RATE]!;
}

describe("the song's own tempo against a 2:3 reading", () => {
  it("keeps counting 180 through dotted-quarter accents as strong as the beats", () => {
    const env = dottedPassage(0.8);
    for (const s of [10, 40, 50, 60, 85]) expect(Math.abs(bpmAt(env, s) / 180 - 1)).toBeLessThan(0.02);
  });

  it("reads the passage at 120 when its accents clearly outweigh the beats", () => {
    const env = dottedPassage(1.5);
    expect(Math.abs(bpmAt(env, 10) / 180 - 1)).toBeLessThan(0.02);
    for (const s of [40, 50, 60]) expect(Math.abs(bpmAt(env, s) / 120 - 1)).toBeLessThan(0.02);
  });

  it("follows a real step to exactly 4:3 (90 → 120 BPM), the longer part setting the song's tempo", () => {
    const song = synthesizeSong({
      parts: [
        { kind: "groove", bars: 16, bpm: 90 },
        { kind: "groove", bars: 12, bpm: 120 },
      ],
    });
    const rhythm = analyzeRhythm(song.samples, song.sampleRate);
    expect(beatFMeasure(rhythm.beats, song.beats, Math.round(0.07 * 48_000))).toBeGreaterThanOrEqual(0.95);
    expect(rhythm.warnings.some((w) => w.startsWith("tempo changes"))).toBe(true);
  });
});
