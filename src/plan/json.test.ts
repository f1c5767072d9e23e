// The CLI's plan JSON: the field names scripts rely on, seconds rounded to ms from samples, fps as a number.
import { describe, expect, it } from "vitest";
import { UserInputError } from "../errors/index.js";
import { roundSeconds, samplesToSeconds, toRate } from "../time/index.js";
import { CONSTRAINTS, constraintsFor, planSong, planToJson } from "./index.js";
import { realisticSong } from "./testing.js";

describe("planToJson", () => {
  const analysis = realisticSong({ seconds: 75.4321, seed: 3 });

  it("has the documented fields, with segments back to back in rounded seconds", () => {
    const plan = planSong(analysis, CONSTRAINTS.infinitetalk, { provider: "infinitetalk" });
    const json = planToJson(plan);
    for (const key of ["provider", "fps", "segments", "cuts_s", "waste_ratio", "warnings"])
      expect(json).toHaveProperty(key);
    expect(json.provider).toBe("infinitetalk");
    expect(json.fps).toBe(25);
    json.segments.forEach((s, k) => {
      const seg = plan.segments[k]!;
      expect(Object.keys(s)).toEqual(
        expect.arrayContaining([
          "index",
          "start_s",
          "end_s",
          "frames",
          "vocal",
          "kind",
          "generate_frames",
          "handle_before",
          "handle_after",
          "section",
        ]),
      );
      expect(s.start_s).toBe(roundSeconds(samplesToSeconds(seg.start)));
      expect(s.end_s).toBe(roundSeconds(samplesToSeconds(seg.end)));
      expect(s.vocal).toBe(seg.kind === "vocal");
      expect([s.frames, s.generate_frames, s.handle_before, s.handle_after]).toEqual([
        seg.frames,
        seg.generateFrames,
        seg.handleBefore,
        seg.handleAfter,
      ]);
      if (k > 0) expect(s.start_s).toBe(json.segments[k - 1]!.end_s);
    });
    expect(json.cuts_s).toEqual(json.segments.slice(1).map((s) => s.start_s));
    expect(json.frames).toBe(json.segments.reduce((n, s) => n + s.frames, 0));
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
  });

  it("writes an NTSC rate as 29.97 and keeps the exact ratio beside it", () => {
    const fps = toRate("29.97");
    const plan = planSong(
      analysis,
      { fps, frameRule: { kind: "any" }, minFrames: 1, maxFrames: 10_000 },
      { provider: "local" },
    );
    const json = planToJson(plan);
    expect(json.fps).toBe(29.97);
    expect(json.fps_exact).toBe("30000/1001");
  });
});

describe("model family constraints", () => {
  it("are data a provider can look up by name", () => {
    expect(constraintsFor("infinitetalk")).toBe(CONSTRAINTS.infinitetalk);
    expect(CONSTRAINTS.infinitetalk.frameRule).toEqual({ kind: "windows", first: 81, step: 72 });
    expect(CONSTRAINTS["wan-s2v"].fps).toEqual({ num: 16, den: 1 });
  });

  it("name the known families when asked for an unknown one", () => {
    expect(() => constraintsFor("sora")).toThrow(UserInputError);
    expect(() => constraintsFor("sora")).toThrow(/infinitetalk, .*local/);
  });
});
