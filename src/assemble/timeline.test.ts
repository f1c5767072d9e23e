// The timeline keeps the song's timing: cuts land on the song's frames, transitions live in the handles.
import { describe, expect, it } from "vitest";
import { UserInputError } from "../errors/index.js";
import { CONSTRAINTS, planSong } from "../plan/index.js";
import { realisticSong } from "../plan/testing.js";
import { type Rate, SAMPLE_RATE, samplesToFrames } from "../time/index.js";
import { picksOf, planOf } from "./testing.js";
import {
  buildTimeline,
  type Clip,
  type PlacedClip,
  placeTrack,
  shownFrames,
  type Timeline,
  type Transition,
  usableOutputFrames,
} from "./timeline.js";
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

  it("cuts hard on downbeats exactly where the planner left no handles, at any output rate", () => {
    const analysis = realisticSong({ seed: 2 });
    const planned = planSong(analysis, CONSTRAINTS.local, { provider: "local", hardCutOnDownbeats: true });
    for (const rate of [fps25, { num: 30000, den: 1001 }]) {
      const t = buildTimeline(planned, picksOf(planned, "/t"), {
        rate,
        songPath: "/s",
        transitionFrames: 8,
        hardCutsOnDownbeats: true,
        downbeats: analysis.downbeats,
      });
      const items = t.tracks[0]!.children;
      const crossfaded = items.flatMap((c, i) =>
        c.kind === "clip" && items[i - 1]?.kind === "transition" ? [c.segment] : [],
      );
      const withHandles = planned.segments.filter((s) => s.handleBefore > 0).map((s) => s.index);
      expect(withHandles.length).toBeLessThan(planned.segments.length - 1);
      expect(crossfaded).toEqual(withHandles);
    }
  });

  it("never lets the transitions into and out of a short clip overlap", () => {
    const short = planOf([120, 6, 120, 5, 3, 120], fps25, 8);
    const t = buildTimeline(short, picksOf(short, "/t"), {
      rate: fps25,
      songPath: "/s",
      transitionFrames: 16,
    });
    for (const p of placeTrack(t.tracks[0]!)) {
      if ("gap" in p) continue;
      const intoIt = p.transitionIn?.outOffset ?? 0;
      const outOfIt = p.transitionOut?.inOffset ?? 0;
      expect(intoIt + outOfIt, `segment ${p.clip.segment}`).toBeLessThanOrEqual(p.end - p.start);
    }
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
      /segment 3: take t3 \(\/takes\/take-3\.mp4\) covers only 10 of its 33 frames.*generate it again.*pick another take/,
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

describe("a take's black or frozen head and tail frames", () => {
  // Three segments of 50 frames with 4-frame handles at the inner cuts; 8-frame crossfades.
  const plan = planOf([50, 50, 50], fps25, 4);
  const picks = picksOf(plan, "/t");
  const options = { rate: fps25, songPath: "/s", transitionFrames: 8 };
  const fileFrames = (i: number) => plan.segments[i]!.generateFrames;
  const placedClips = (t: Timeline) => placeTrack(t.tracks[0]!).filter((p): p is PlacedClip => "clip" in p);
  /** Every media frame a placed clip shows, transitions included, after held frames are applied. */
  const framesShown = (p: PlacedClip): number[] => {
    const src = p.clip.sourceRange;
    const from = src.startFrame - p.headFrames;
    const to = src.startFrame + src.durationFrames + p.tailFrames;
    const s = shownFrames(p.clip, from, to);
    return [
      ...Array<number>(s.holdBefore).fill(s.shownFrom),
      ...Array.from({ length: s.shownTo - s.shownFrom }, (_, k) => s.shownFrom + k),
      ...Array<number>(s.holdAfter).fill(s.shownTo - 1),
    ];
  };

  it("keeps black head frames inside the handle out of the crossfade into the take", () => {
    // 3 black frames: the 4-frame head handle keeps one usable frame for the crossfade.
    const black = picks.map((p) =>
      p.segment === 1 ? { ...p, usableRange: { startFrame: 3, durationFrames: fileFrames(1) - 3 } } : p,
    );
    const t = buildTimeline(plan, black, options);
    const [into] = transitionsOf(t);
    expect(into).toMatchObject({ inOffset: 1, outOffset: 4 });
    expect(t.warnings.join("\n")).toMatch(/cut into segment 1: transition shortened to 5 frames/);
    const p1 = placedClips(t)[1]!;
    expect(framesShown(p1)).toHaveLength(p1.end - p1.start + p1.headFrames + p1.tailFrames);
    expect(Math.min(...framesShown(p1))).toBe(3);
    expect(p1.clip.holdHeadFrames).toBeUndefined();
  });

  it("holds the first usable frame where black head frames reach into the segment, keeping sync", () => {
    // 6 black frames, 4-frame handles: the segment's first 2 frames would be black.
    const black = picks.map((p) =>
      p.segment === 1 ? { ...p, usableRange: { startFrame: 6, durationFrames: fileFrames(1) - 6 } } : p,
    );
    const t = buildTimeline(plan, black, options);
    const clean = buildTimeline(plan, picks, options);
    const p1 = placedClips(t)[1]!;
    // No black frame: the crossfade into it takes nothing from its head; the segment holds frame 6.
    expect(p1.headFrames).toBe(0);
    expect(framesShown(p1).every((f) => f >= 6)).toBe(true);
    expect(framesShown(p1).slice(0, 3)).toEqual([6, 6, 6]);
    expect(p1.clip.holdHeadFrames).toBe(2);
    // Sync is untouched: from the held frames on, each output frame shows the frame it showed before.
    expect(p1.clip.sourceRange).toEqual(placedClips(clean)[1]!.clip.sourceRange);
    expect(framesShown(p1).slice(2)).toEqual(framesShown(placedClips(clean)[1]!).slice(6));
    expect(t.warnings.join("\n")).toMatch(/segment 1: 2 frames hold the take's first usable frame/);
    expect(timelineProblem(t)).toBeNull();
    expect(timelineFromJson(timelineToJson(t))).toEqual(t);
    const raw = JSON.parse(timelineToJson(t));
    delete raw.tracks[0].children.find((c: Clip) => c.holdHeadFrames).holdHeadFrames;
    expect(() => timelineFromJson(JSON.stringify(raw))).toThrow(
      /holdHeadFrames\/holdTailFrames must be the 2\/0/,
    );
  });

  it("shortens the crossfade out of a take with a frozen tail", () => {
    const frozen = picks.map((p) =>
      p.segment === 0 ? { ...p, usableRange: { startFrame: 0, durationFrames: fileFrames(0) - 3 } } : p,
    );
    const t = buildTimeline(plan, frozen, options);
    const [out] = transitionsOf(t);
    // 4 tail handle frames minus 3 frozen ones leaves one for the crossfade.
    expect(out).toMatchObject({ inOffset: 4, outOffset: 1 });
    const p0 = placedClips(t)[0]!;
    expect(Math.max(...framesShown(p0))).toBe(fileFrames(0) - 4);
    expect(t.warnings.join("\n")).toMatch(/cut into segment 1: transition shortened to 5 frames/);
  });

  it("keeps a measured sync offset exact when the head is also cut", () => {
    // 2 frames late with 6 black frames: the shown frames shift by exactly the offset.
    const late = picks.map((p) =>
      p.segment === 2
        ? { ...p, offsetFrames: 2, usableRange: { startFrame: 6, durationFrames: fileFrames(2) - 6 } }
        : p,
    );
    const base = clipsOf(buildTimeline(plan, picks, options))[2]!;
    const shifted = clipsOf(buildTimeline(plan, late, options))[2]!;
    expect(shifted.sourceRange.startFrame - base.sourceRange.startFrame).toBe(2);
    expect(shifted.availableRange.startFrame).toBe(6);
  });

  it("refuses a take whose placement failed, or whose held frames run past the limit", () => {
    const failed = picks.map((p) =>
      p.segment === 2
        ? { ...p, placementError: "segment 2: the take covers only 30 of its 50 frames — generate it again" }
        : p,
    );
    expect(() => buildTimeline(plan, failed, options)).toThrow(
      /^take t2 \(\/t\/take-2\.mp4\): segment 2: the take covers only 30 of its 50 frames/,
    );
    const frozenHalf = picks.map((p) =>
      p.segment === 1 ? { ...p, usableRange: { startFrame: 0, durationFrames: 34 } } : p,
    );
    expect(() => buildTimeline(plan, frozenHalf, { ...options, maxHeldFrames: 12 })).toThrow(
      /segment 1: take t1 \(\/t\/take-1\.mp4\) covers only 30 of its 50 frames/,
    );
    expect(() => buildTimeline(plan, frozenHalf, { ...options, maxHeldFrames: 20 })).not.toThrow();
  });

  it("shows no unusable frame when the take's rate differs from the output's", () => {
    // ffmpeg's fps filter may show the file frame due at k or at k + ½ output frames: neither may be unusable.
    for (const [from, to] of [
      [{ num: 16, den: 1 }, fps25],
      [fps25, ntsc],
      [ntsc, { num: 24, den: 1 }],
    ] as const) {
      const atK = (k: number, half: number) =>
        Math.floor(((k + half) * from.num * to.den) / (to.num * from.den));
      const r = usableOutputFrames({ startFrame: 5, durationFrames: 30 }, 44, from, to);
      const end = r.startFrame + r.durationFrames;
      for (let k = r.startFrame; k < end; k++) {
        expect(atK(k, 0)).toBeGreaterThanOrEqual(5);
        expect(atK(k, 0.5)).toBeLessThan(35);
      }
      // And it gives up no more than it must.
      expect(atK(r.startFrame - 1, 0)).toBeLessThan(5);
      expect(atK(end, 0.5)).toBeGreaterThanOrEqual(35);
    }
  });

  it("counts a held frame into every piece, even one inside the held frames alone", () => {
    const clip = { availableRange: { startFrame: 10, durationFrames: 20 } };
    expect(shownFrames(clip, 12, 20)).toEqual({ shownFrom: 12, shownTo: 20, holdBefore: 0, holdAfter: 0 });
    expect(shownFrames(clip, 8, 12)).toEqual({ shownFrom: 10, shownTo: 12, holdBefore: 2, holdAfter: 0 });
    expect(shownFrames(clip, 28, 33)).toEqual({ shownFrom: 28, shownTo: 30, holdBefore: 0, holdAfter: 3 });
    expect(shownFrames(clip, 3, 6)).toEqual({ shownFrom: 10, shownTo: 11, holdBefore: 2, holdAfter: 0 });
    expect(shownFrames(clip, 31, 34)).toEqual({ shownFrom: 29, shownTo: 30, holdBefore: 0, holdAfter: 2 });
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
