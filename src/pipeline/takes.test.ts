// A measured take reaches the timeline with its sync offset and its usable frames; a take that cannot fill its segment is refused.
import { describe, expect, it } from "vitest";
import { buildTimeline, type Clip } from "../assemble/index.js";
import { planOf } from "../assemble/testing.js";
import type { TakeSync } from "../sync/index.js";
import { cleanTakeSync } from "../sync/testing.js";
import { framesToSamples, type Rate } from "../time/index.js";
import { pickOf } from "./takes.js";

const fps25: Rate = { num: 25, den: 1 };
const plan = planOf([50, 50, 50], fps25, 4);
const noColour = { driftBefore: 0, driftAfter: 0, filter: null };

function measured(index: number, over: Partial<TakeSync> = {}) {
  const sync = cleanTakeSync(over.frames ?? plan.segments[index]!.generateFrames, fps25, over);
  return pickOf(
    plan,
    plan.segments[index]!,
    { id: `t${index}`, path: `/t/${index}.mp4` },
    {
      sync,
      colour: noColour,
    },
  );
}

describe("pickOf", () => {
  it("hands the timeline the frames after a late start and a black head, before a frozen tail", () => {
    const late = measured(1, {
      offsetSamples: framesToSamples(2, fps25),
      headBlackFrames: 5,
      tailFrozenFrames: 3,
    });
    expect(late.offsetFrames).toBe(2);
    expect(late.usableRange).toEqual({ startFrame: 5, durationFrames: 58 - 5 - 3 });
    expect(late.placementError).toBeUndefined();
  });

  it("shows none of a black head in the crossfade into the take, and the segment stays in sync", () => {
    const picks = [measured(0), measured(1, { headBlackFrames: 6 }), measured(2)];
    const t = buildTimeline(plan, picks, { rate: fps25, songPath: "/s", transitionFrames: 8 });
    const items = t.tracks[0]!.children;
    const clip1 = items.find((c): c is Clip => c.kind === "clip" && c.segment === 1)!;
    const into = items[items.indexOf(clip1) - 1]!;
    expect(into).toMatchObject({ kind: "transition", inOffset: 0 });
    expect(clip1.availableRange.startFrame).toBe(6);
    // The segment begins 4 frames (its handle) into the take: frames 4 and 5 are black and hold frame 6.
    expect(clip1.sourceRange.startFrame).toBe(4);
    expect(clip1.holdHeadFrames).toBe(2);
  });

  it("refuses a take much shorter than its segment, naming segment and take", () => {
    const picks = [measured(0), measured(1, { frames: 30 }), measured(2)];
    expect(picks[1]!.placementError).toMatch(/segment 1: the take covers only/);
    expect(() => buildTimeline(plan, picks, { rate: fps25, songPath: "/s" })).toThrow(
      /take t1 \(\/t\/1\.mp4\): segment 1: the take covers only 26 of its 50 frames — generate it again or pick another take/,
    );
  });
});
