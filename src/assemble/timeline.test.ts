// The timeline keeps the song's timing: cuts land on the song's frames, transitions live in the handles.
import { describe, expect, it } from "vitest";
import { UserInputError } from "../errors/index.js";
import { type Rate, SAMPLE_RATE, samplesToFrames } from "../time/index.js";
import { picksOf, planOf } from "./testing.js";
import { buildTimeline, type Clip, placeTrack, type Timeline, type Transition } from "./timeline.js";
import { timelineFromJson, timelineProblem, timelineToJson } from "./timeline-json.js";

const fps25: Rate = { num: 25, den: 1 };
const ntsc: Rate = { num: 30000, den: 1001 };

function clipsOf(t: Timeline): Clip[] {
  return t.tracks[0]!.children.filter((c): c is Clip => c.kind === "clip");
}
function transitionsOf(t: Timeline): Transition[] {
  return t.tracks[0]!.children.filter((c): c is Transition => c.kind === "transition");
}

describe("buildTimeline", () => {
  const plan = planOf([61, 47, 90, 33, 75], fps25, 10);
  const picks = picksOf(plan, "/takes");

  const wan = planOf([64, 48, 92, 36], { num: 16, den: 1 }, 8);
  for (const [source, p0] of [
    ["25 fps takes", plan],
    ["16 fps takes", wan],
  ] as const) {
    for (const rate of [fps25, { num: 30, den: 1 }, ntsc, { num: 24, den: 1 }]) {
      it(`puts every clip's first non-handle frame on its segment's start (${source} at ${rate.num}/${rate.den})`, () => {
        const t = buildTimeline(p0, picksOf(p0, "/t"), { rate, songPath: "/song.wav", transitionFrames: 8 });
        const placed = placeTrack(t.tracks[0]!).filter((p) => "clip" in p);
        expect(placed).toHaveLength(p0.segments.length);
        for (const [i, p] of placed.entries()) {
          expect(p.start).toBe(samplesToFrames(p0.segments[i]!.start, rate));
          expect(p.end).toBe(samplesToFrames(p0.segments[i]!.end, rate));
          // The take's frame shown there is the one the song reaches at that output frame: the take's
          // audio began handleBefore frames before the segment, so within half an output frame of that.
          const seg = p0.segments[i]!;
          const takeStartS =
            ((seg.start * (p0.fps.num / p0.fps.den)) / SAMPLE_RATE - seg.handleBefore) /
            (p0.fps.num / p0.fps.den);
          const wantS = (p.start * rate.den) / rate.num - takeStartS;
          const shownS = (p.clip.sourceRange.startFrame * rate.den) / rate.num;
          expect(Math.abs(shownS - wantS)).toBeLessThanOrEqual((0.5 * rate.den) / rate.num + 1e-9);
        }
        expect(t.durationFrames).toBe(samplesToFrames(p0.durationSamples, rate));
        expect(timelineProblem(t)).toBeNull();
      });
    }
  }

  it("centres each crossfade on its cut and takes its frames from the handles", () => {
    const t = buildTimeline(plan, picks, { rate: fps25, songPath: "/song.wav", transitionFrames: 9 });
    const items = t.tracks[0]!.children;
    const transitions = transitionsOf(t);
    expect(transitions).toHaveLength(plan.segments.length - 1);
    for (const tr of transitions) {
      expect(tr.inOffset + tr.outOffset).toBe(9);
      expect(Math.abs(tr.inOffset - tr.outOffset)).toBeLessThanOrEqual(1);
      const i = items.indexOf(tr);
      const incoming = items[i + 1] as Clip;
      const outgoing = items[i - 1] as Clip;
      // Head handle of the incoming clip covers inOffset; tail handle of the outgoing covers outOffset.
      expect(incoming.sourceRange.startFrame - tr.inOffset).toBeGreaterThanOrEqual(0);
      const tailEnd = outgoing.sourceRange.startFrame + outgoing.sourceRange.durationFrames + tr.outOffset;
      expect(tailEnd).toBeLessThanOrEqual(outgoing.availableRange.durationFrames);
    }
    // At the take's own rate, the visible part starts exactly after the generated head handle.
    expect(clipsOf(t)[1]!.sourceRange.startFrame).toBe(plan.segments[1]!.handleBefore);
  });

  it("shortens a transition that the handles cannot cover, and says so", () => {
    const short = planOf([50, 50], fps25, 2);
    const t = buildTimeline(short, picksOf(short, "/t"), {
      rate: fps25,
      songPath: "/s.wav",
      transitionFrames: 12,
    });
    const [tr] = transitionsOf(t);
    expect(tr!.inOffset).toBeLessThanOrEqual(2);
    expect(tr!.outOffset).toBeLessThanOrEqual(2);
    expect(t.warnings.join("\n")).toMatch(/segment 1: transition shortened/);
  });

  it("cuts hard where asked: 'cut', zero frames, and on downbeats", () => {
    expect(
      transitionsOf(buildTimeline(plan, picks, { rate: fps25, songPath: "/s", transition: "cut" })),
    ).toEqual([]);
    expect(
      transitionsOf(buildTimeline(plan, picks, { rate: fps25, songPath: "/s", transitionFrames: 0 })),
    ).toEqual([]);
    // A downbeat within the cut's frame counts; one two frames away does not.
    const downbeats = [plan.segments[2]!.start, plan.segments[4]!.start + 3, plan.segments[3]!.start + 3840];
    const t = buildTimeline(plan, picks, {
      rate: fps25,
      songPath: "/s",
      hardCutsOnDownbeats: true,
      downbeats,
    });
    const into = t.tracks[0]!.children.flatMap((c, i, all) =>
      c.kind === "clip" && all[i - 1]?.kind === "transition" ? [c.segment] : [],
    );
    expect(into).toEqual([1, 3]);
  });

  it("uses a section's transition for cuts into that section", () => {
    const t = buildTimeline(plan, picks, {
      rate: fps25,
      songPath: "/s",
      transition: "fadeblack",
      transitionsBySection: { chorus: "wipeleft" },
    });
    const items = t.tracks[0]!.children;
    for (const tr of transitionsOf(t)) {
      const incoming = items[items.indexOf(tr) + 1] as Clip;
      expect(tr.name).toBe(incoming.section === "chorus" ? "wipeleft" : "fadeblack");
    }
  });

  it("shows a segment without a picked take as black, keeping everything else in place", () => {
    const t = buildTimeline(
      plan,
      picks.filter((p) => p.segment !== 2),
      { rate: fps25, songPath: "/s" },
    );
    expect(t.warnings).toContain("segment 2 has no picked take: shown as black");
    const gap = placeTrack(t.tracks[0]!).find((p) => "gap" in p)!;
    expect(gap.start).toBe(samplesToFrames(plan.segments[2]!.start, fps25));
    expect(gap.end).toBe(samplesToFrames(plan.segments[3]!.start, fps25));
    expect(t.durationFrames).toBe(samplesToFrames(plan.durationSamples, fps25));
  });

  it("shifts into the media by a measured sync offset and a head trim", () => {
    const late = picks.map((p) =>
      p.segment === 1 ? { ...p, offsetFrames: 3, headTrimFrames: 1, frames: 71 } : p,
    );
    const base = clipsOf(buildTimeline(plan, picks, { rate: fps25, songPath: "/s" }))[1]!;
    const shifted = clipsOf(buildTimeline(plan, late, { rate: fps25, songPath: "/s" }))[1]!;
    expect(shifted.sourceRange.startFrame - base.sourceRange.startFrame).toBe(4);
    expect(shifted.sourceRange.durationFrames).toBe(base.sourceRange.durationFrames);
  });

  it("refuses a take too short to cover its segment, naming segment and file", () => {
    const bad = picks.map((p) => (p.segment === 3 ? { ...p, frames: 20 } : p));
    expect(() => buildTimeline(plan, bad, { rate: fps25, songPath: "/s" })).toThrow(
      /take t3 \(\/takes\/take-3\.mp4\) for segment 3 is too short/,
    );
  });

  it("refuses unknown transitions, duplicate picks and picks for unknown segments", () => {
    expect(() => buildTimeline(plan, picks, { rate: fps25, songPath: "/s", transition: "swirl" })).toThrow(
      UserInputError,
    );
    expect(() =>
      buildTimeline(plan, picks, { rate: fps25, songPath: "/s", transitionsBySection: { chorus: "nope" } }),
    ).toThrow(/transitionsBySection\.chorus/);
    expect(() => buildTimeline(plan, [...picks, picks[0]!], { rate: fps25, songPath: "/s" })).toThrow(
      /two takes/,
    );
    expect(() =>
      buildTimeline(plan, [{ ...picks[0]!, segment: 99 }], { rate: fps25, songPath: "/s" }),
    ).toThrow(/segment 99/);
  });
});

describe("timeline JSON", () => {
  const plan = planOf([40, 40, 40], fps25, 6);
  const t = buildTimeline(plan, picksOf(plan, "/t"), { rate: ntsc, songPath: "/song.wav", name: "demo" });

  it("round-trips and starts with its version", () => {
    const text = timelineToJson(t);
    expect(text.trimStart().startsWith('{\n  "version": 1')).toBe(true);
    expect(timelineFromJson(text)).toEqual(t);
  });

  it("rejects another version, a bad field (naming it) and an inconsistent track", () => {
    const raw = JSON.parse(timelineToJson(t));
    expect(() => timelineFromJson(JSON.stringify({ ...raw, version: 2 }), "x.json")).toThrow(
      /x\.json: timeline version 2/,
    );
    const badRate = { ...raw, rate: { num: 25, den: 0 } };
    expect(() => timelineFromJson(JSON.stringify(badRate))).toThrow(/rate\.den/);
    const longer = { ...raw, durationFrames: raw.durationFrames + 1 };
    expect(() => timelineFromJson(JSON.stringify(longer))).toThrow(/lasts \d+ frames/);
    expect(() => timelineFromJson("{nope")).toThrow(UserInputError);
  });
});
