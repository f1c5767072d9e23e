// The edit list: one row per used take with source and record frames that agree with the timeline.
import { describe, expect, it } from "vitest";
import { buildTimeline } from "../assemble/index.js";
import { picksOf, planOf } from "../assemble/testing.js";
import { samplesToFrames, toRate } from "../time/index.js";
import { buildEditListCsv, buildEditListJson, csvField, editListOf } from "./index.js";

const fps = toRate(25);

describe("edit list", () => {
  const plan = planOf([40, 31, 57], fps, 6);
  const timeline = buildTimeline(plan, picksOf(plan, "/takes"), {
    rate: fps,
    songPath: "/song.wav",
    transitionFrames: 6,
  });

  it("records each take at its segment's frames, back to back to the song's end", () => {
    const list = editListOf(timeline);
    expect(list.takes.map((t) => t.segment)).toEqual([0, 1, 2]);
    for (const [i, t] of list.takes.entries()) {
      const seg = plan.segments[i]!;
      expect(t.recordIn).toBe(samplesToFrames(seg.start, fps));
      expect(t.recordOut).toBe(samplesToFrames(seg.end, fps));
      expect(t.sourceOut - t.sourceIn).toBe(t.recordOut - t.recordIn);
    }
    expect(list.takes.at(-1)!.recordOut).toBe(samplesToFrames(plan.durationSamples, fps));
    expect(list.takes[1]!.transitionIn).toBe(3);
    expect(list.takes[1]!.sourceIn).toBe(6);
    expect(JSON.parse(buildEditListJson(timeline))).toEqual(list);
    expect(list.takes.map((t) => [t.holdHead, t.holdTail])).toEqual([
      [0, 0],
      [0, 0],
      [0, 0],
    ]);
  });

  it("says which record frames hold a take's edge frame", () => {
    // Segment 1's take is black for its first 9 frames, 3 past its 6-frame head handle.
    const picks = picksOf(plan, "/takes").map((p) =>
      p.segment === 1 ? { ...p, usableRange: { startFrame: 9, durationFrames: 43 - 9 } } : p,
    );
    const held = editListOf(
      buildTimeline(plan, picks, { rate: fps, songPath: "/s.wav", transitionFrames: 6 }),
    );
    expect(held.takes[1]).toMatchObject({ holdHead: 3, holdTail: 0, transitionIn: 0, sourceIn: 6 });
  });

  it("writes CSV a spreadsheet reads back, quoting awkward file names", () => {
    const odd = buildTimeline(planOf([25], fps), [{ segment: 0, takeId: "t0", path: '/a, "b".mp4', fps }], {
      rate: fps,
      songPath: "/s.wav",
    });
    const csv = buildEditListCsv(odd);
    expect(csv.split("\r\n")[0]).toBe(
      "segment,take_id,file,source_in,source_out,record_in,record_out,transition_in,transition_out,colour_filter,hold_head,hold_tail",
    );
    expect(csv.split("\r\n")[1]).toBe('0,t0,"/a, ""b"".mp4",0,25,0,25,0,0,,0,0');
    expect(csvField(null)).toBe("");
  });
});
