// placeTake: trims and places a measured take so every kept frame shows the master moment it was made for.
import { describe, expect, it } from "vitest";
import type { Plan, Segment } from "../plan/types.js";
import { framesToSamples, type Rate, samplesToFrames, toRate } from "../time/index.js";
import { placeTake, type TakeSync } from "./index.js";
import { cleanTakeSync } from "./testing.js";

const fps = toRate(25);
const frame = framesToSamples(1, fps);

function segmentAt(startFrame: number, frames: number, handles = 4): Segment {
  return {
    index: 3,
    start: framesToSamples(startFrame, fps),
    end: framesToSamples(startFrame + frames, fps),
    frames,
    kind: "vocal",
    handleBefore: handles,
    handleAfter: handles,
    generateFrames: frames + 2 * handles,
  };
}

function planOf(segment: Segment, rate: Rate = fps): Plan {
  return {
    provider: "local",
    fps: rate,
    durationSamples: segment.end + 10 * frame,
    segments: [segment],
    cuts: [],
    wasteRatio: 1,
    warnings: [],
  };
}

function sync(over: Partial<TakeSync>): TakeSync {
  return cleanTakeSync(over.frames ?? 108, fps, over);
}

/** The master position (samples) shown by kept frame s, and where the placement puts it. */
function placementError(s: TakeSync, seg: Segment, kept: number): number {
  const p = placeTake(s, seg, planOf(seg), fps);
  const jobStart = seg.start - framesToSamples(seg.handleBefore, fps);
  const sourceFrame = p.trimHeadFrames + kept;
  const shows = jobStart + framesToSamples(sourceFrame, fps) - (s.offsetSamples ?? 0);
  const placedAt = jobStart + framesToSamples(p.offsetFrames + kept, fps);
  return placedAt - shows;
}

describe("placeTake", () => {
  it("uses a take that is exactly on time as generated", () => {
    const seg = segmentAt(100, 100);
    const p = placeTake(sync({}), seg, planOf(seg), fps);
    expect(p).toMatchObject({ trimHeadFrames: 0, offsetFrames: 0, usableFrames: 108, error: null });
    expect(p.warnings).toEqual([]);
  });

  it("meets the master within half a frame for any measured offset", () => {
    const seg = segmentAt(100, 100);
    for (let offset = -2 * frame; offset <= 2 * frame; offset += 97) {
      const s = sync({ offsetSamples: offset });
      for (const kept of [0, 50]) {
        expect(Math.abs(placementError(s, seg, kept))).toBeLessThanOrEqual(frame / 2);
      }
    }
  });

  it("cuts a late start together with the black frames it shows", () => {
    const seg = segmentAt(100, 100);
    const p = placeTake(sync({ offsetSamples: 7 * frame + 100, headBlackFrames: 7 }), seg, planOf(seg), fps);
    expect(p.trimHeadFrames).toBe(7);
    expect(p.offsetFrames).toBe(0);
    expect(p.usableFrames).toBe(101);
  });

  it("cuts frozen head frames beyond the offset and places the rest later, still in sync", () => {
    const seg = segmentAt(100, 100);
    const s = sync({ offsetSamples: 2 * frame, headFrozenFrames: 5 });
    const p = placeTake(s, seg, planOf(seg), fps);
    expect(p.trimHeadFrames).toBe(5);
    expect(p.offsetFrames).toBe(3);
    expect(placementError(s, seg, 0)).toBe(0);
    expect(p.warnings.join()).toMatch(/cut 3 blank or frozen frames at the take's head/);
  });

  it("lets an early take start inside the handle without complaint", () => {
    const seg = segmentAt(100, 100, 4);
    const p = placeTake(sync({ offsetSamples: -3 * frame }), seg, planOf(seg), fps);
    expect(p.offsetFrames).toBe(3);
    expect(p.missingHeadFrames).toBe(0);
    expect(p.error).toBeNull();
  });

  it("warns when a few frames of the segment are left uncovered", () => {
    const seg = segmentAt(100, 100, 0);
    const p = placeTake(sync({ frames: 97, tailBlackFrames: 0 }), seg, planOf(seg), fps);
    expect(p.missingTailFrames).toBe(3);
    expect(p.error).toBeNull();
    expect(p.warnings.join()).toMatch(/3 frames of the segment uncovered/);
  });

  it("says clearly when a take is much shorter than its segment", () => {
    const seg = segmentAt(100, 100);
    const p = placeTake(sync({ frames: 60 }), seg, planOf(seg), fps);
    expect(p.error).toMatch(
      /segment 3: the take covers only 56 of its 100 frames — generate it again or pick another take/,
    );
  });

  it("uses a take that never moves as it is, but refuses one that is black throughout", () => {
    const seg = segmentAt(100, 100);
    const still = placeTake(sync({ headFrozenFrames: 108, tailFrozenFrames: 108 }), seg, planOf(seg), fps);
    expect(still).toMatchObject({ trimHeadFrames: 0, usableFrames: 108, error: null });
    expect(still.warnings.join()).toMatch(/segment 3: the take never moves/);
    const frozenTail = placeTake(sync({ tailFrozenFrames: 30 }), seg, planOf(seg), fps);
    expect(frozenTail.usableFrames).toBe(78);
    const black = placeTake(sync({ headBlackFrames: 108, tailBlackFrames: 108 }), seg, planOf(seg), fps);
    expect(black.error).toMatch(/covers only 0 of its 100 frames/);
  });

  it("places as generated when the take has no audio or its audio does not match", () => {
    const seg = segmentAt(100, 100);
    const silent = placeTake(sync({ offsetSamples: null, confidence: 0 }), seg, planOf(seg), fps);
    expect(silent.syncFrames).toBe(0);
    expect(silent.warnings.join()).toMatch(/no audio/);
    const unsure = placeTake(sync({ offsetSamples: 9 * frame, confidence: 0.1 }), seg, planOf(seg), fps);
    expect(unsure.syncFrames).toBe(0);
    expect(unsure.warnings.join()).toMatch(/matches the song poorly/);
  });

  it("counts frames at the take's own rate when it differs from the plan's", () => {
    const plan25 = segmentAt(100, 100, 4);
    const rate16 = toRate(16);
    const s = sync({ offsetSamples: framesToSamples(2, rate16), frames: 72 });
    const p = placeTake(s, plan25, planOf(plan25), rate16);
    expect(p.syncFrames).toBe(2);
    const segFrames16 = samplesToFrames(plan25.end, rate16) - samplesToFrames(plan25.start, rate16);
    expect(segFrames16).toBe(64);
    expect(p.error).toBeNull();
  });
});
