// beatFMeasure keeps mir_eval.beat.f_measure's rules: 5 s trim, ±tolerance, one-to-one matching.
import { describe, expect, it } from "vitest";
import { beatFMeasure } from "./score.js";

const RATE = 48_000;
const TOL = Math.round(0.07 * RATE);
/** Beats every `period` seconds from `from` to `to`, as 48 kHz samples. */
const grid = (from: number, to: number, period: number) =>
  Array.from({ length: Math.floor((to - from) / period) + 1 }, (_, i) =>
    Math.round((from + i * period) * RATE),
  );

describe("beatFMeasure", () => {
  const reference = grid(0, 30, 0.5);

  it("scores identical beat lists 1", () => {
    expect(beatFMeasure(reference, reference, TOL)).toBe(1);
  });

  it("accepts beats off by up to the tolerance and rejects beats just beyond it", () => {
    expect(
      beatFMeasure(
        reference.map((b) => b + TOL),
        reference,
        TOL,
      ),
    ).toBe(1);
    expect(
      beatFMeasure(
        reference.map((b) => b - TOL - 1),
        reference,
        TOL,
      ),
    ).toBe(0);
  });

  it("ignores beats before 5 s, as mir_eval's trim_beats does", () => {
    const wrongIntro = [...grid(0.25, 4.75, 0.5), ...reference.filter((b) => b >= 5 * RATE)];
    expect(beatFMeasure(wrongIntro, reference, TOL)).toBe(1);
    expect(beatFMeasure(wrongIntro, reference, TOL, { trimBeforeSamples: 0 })).toBeLessThan(1);
  });

  it("counts each reference beat at most once (double tempo halves precision)", () => {
    const double = grid(0, 30, 0.25);
    const kept = reference.filter((b) => b >= 5 * RATE).length;
    const est = double.filter((b) => b >= 5 * RATE).length;
    const precision = kept / est;
    expect(beatFMeasure(double, reference, TOL)).toBeCloseTo((2 * precision) / (precision + 1), 10);
  });

  it("scores half tempo by its recall", () => {
    const half = grid(0, 30, 1);
    const recall = half.filter((b) => b >= 5 * RATE).length / reference.filter((b) => b >= 5 * RATE).length;
    expect(beatFMeasure(half, reference, TOL)).toBeCloseTo((2 * recall) / (1 + recall), 10);
  });

  it("scores 0 when either list is empty after trimming", () => {
    expect(beatFMeasure([], reference, TOL)).toBe(0);
    expect(beatFMeasure(reference, grid(0, 4, 0.5), TOL)).toBe(0);
  });

  it("does not depend on the order beats are given in", () => {
    expect(beatFMeasure([...reference].reverse(), reference, TOL)).toBe(1);
  });
});
