// Parsing freezedetect/blackdetect metadata (text captured from ffmpeg 5.1) into blank head and tail frames.
import { describe, expect, it } from "vitest";
import {
  blackRuns,
  freezeRuns,
  headTailFrames,
  mergeRuns,
  parseFrameMetadata,
  stillHeadTail,
} from "./index.js";

/** Builds `metadata=mode=print` text: every frame tagged, with extra tags on some frames. */
function printed(count: number, tags: Record<number, string[]>): string {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    lines.push(
      `frame:${String(i).padEnd(4)} pts:${String(i * 512).padEnd(7)} pts_time:${+(i * 0.04).toFixed(2)}`,
    );
    lines.push(...(tags[i] ?? []), "refrain.frame=1");
  }
  return `${lines.join("\n")}\n`;
}

// Captured from: 8 black frames, then a picture held for 6 frames, then motion (25 fps).
const captured = `frame:0    pts:0       pts_time:0
lavfi.black_start=0
refrain.frame=1
frame:1    pts:512     pts_time:0.04
refrain.frame=1
frame:2    pts:1024    pts_time:0.08
lavfi.freezedetect.freeze_start=0
refrain.frame=1
frame:3    pts:1536    pts_time:0.12
refrain.frame=1
frame:4    pts:2048    pts_time:0.16
refrain.frame=1
frame:5    pts:2560    pts_time:0.2
refrain.frame=1
frame:6    pts:3072    pts_time:0.24
refrain.frame=1
frame:7    pts:3584    pts_time:0.28
refrain.frame=1
frame:8    pts:4096    pts_time:0.32
lavfi.freezedetect.freeze_duration=0.32
lavfi.freezedetect.freeze_end=0.32
lavfi.black_end=0.32
refrain.frame=1
frame:9    pts:4608    pts_time:0.36
refrain.frame=1
frame:10   pts:5120    pts_time:0.4
lavfi.freezedetect.freeze_start=0.32
refrain.frame=1
frame:11   pts:5632    pts_time:0.44
refrain.frame=1
frame:12   pts:6144    pts_time:0.48
refrain.frame=1
frame:13   pts:6656    pts_time:0.52
refrain.frame=1
frame:14   pts:7168    pts_time:0.56
lavfi.freezedetect.freeze_duration=0.24
lavfi.freezedetect.freeze_end=0.56
refrain.frame=1
frame:15   pts:7680    pts_time:0.6
refrain.frame=1
`;

describe("parseFrameMetadata", () => {
  it("lists every printed frame with its time and tags", () => {
    const frames = parseFrameMetadata(captured);
    expect(frames).toHaveLength(16);
    expect(frames[8]).toEqual({
      index: 8,
      ptsTime: 0.32,
      tags: {
        "lavfi.freezedetect.freeze_duration": "0.32",
        "lavfi.freezedetect.freeze_end": "0.32",
        "lavfi.black_end": "0.32",
        "refrain.frame": "1",
      },
    });
  });

  it("ignores noise lines before the first frame and blank lines", () => {
    expect(parseFrameMetadata("garbage=1\n\nframe:0 pts:0 pts_time:0\nk=v\n")).toEqual([
      { index: 0, ptsTime: 0, tags: { k: "v" } },
    ]);
  });
});

describe("blank and frozen runs", () => {
  const frames = parseFrameMetadata(captured);

  it("finds the black head and the still pictures after it", () => {
    expect(blackRuns(frames)).toEqual([{ start: 0, end: 0.32 }]);
    expect(freezeRuns(frames)).toEqual([
      { start: 0, end: 0.32 },
      { start: 0.32, end: 0.56 },
    ]);
    expect(headTailFrames(frames, blackRuns(frames))).toEqual({ head: 8, tail: 0 });
  });

  it("counts a run left open at the end of the file as the tail", () => {
    const text = printed(20, { 14: ["lavfi.freezedetect.freeze_start=0.48"] });
    const frames20 = parseFrameMetadata(text);
    expect(freezeRuns(frames20)).toEqual([{ start: 0.48, end: null }]);
    expect(headTailFrames(frames20, freezeRuns(frames20), 2)).toEqual({ head: 0, tail: 8 });
  });

  it("does not count a run that touches neither end", () => {
    const text = printed(20, {
      7: ["lavfi.freezedetect.freeze_start=0.2"],
      9: ["lavfi.freezedetect.freeze_end=0.36"],
    });
    const f = parseFrameMetadata(text);
    expect(headTailFrames(f, freezeRuns(f), 2)).toEqual({ head: 0, tail: 0 });
  });

  it("drops one-frame 'freezes' that freezedetect reports when its duration is one frame", () => {
    const text = printed(6, {
      1: ["lavfi.freezedetect.freeze_start=0", "lavfi.freezedetect.freeze_end=0.04"],
    });
    const f = parseFrameMetadata(text);
    expect(headTailFrames(f, freezeRuns(f), 2)).toEqual({ head: 0, tail: 0 });
    expect(headTailFrames(f, freezeRuns(f), 1)).toEqual({ head: 1, tail: 0 });
  });

  it("reports an all-black take as black from head to tail", () => {
    const f = parseFrameMetadata(printed(5, { 0: ["lavfi.black_start=0"] }));
    expect(headTailFrames(f, blackRuns(f))).toEqual({ head: 5, tail: 5 });
  });
});

describe("mergeRuns", () => {
  it("joins a held picture that the encoder split into runs a frame apart", () => {
    // Captured tail of a 9-frame hold encoded with x264 ultrafast.
    const runs = [
      { start: 2.6, end: 2.68 },
      { start: 2.72, end: 2.8 },
      { start: 2.8, end: null },
    ];
    expect(mergeRuns(runs, 0.06)).toEqual([{ start: 2.6, end: null }]);
  });

  it("keeps runs apart when real motion lies between them", () => {
    const runs = [
      { start: 0, end: 0.2 },
      { start: 0.4, end: 0.6 },
    ];
    expect(mergeRuns(runs, 0.06)).toEqual(runs);
  });
});

describe("stillHeadTail", () => {
  const frames = parseFrameMetadata(printed(12, {}));
  const at = (...i: number[]) => i.map((k) => frames[k]!.ptsTime);

  it("counts the frames before the second kept one, and from the last kept one on", () => {
    // Frames 0-3 one picture, motion 4-8, frames 9-11 one picture.
    expect(stillHeadTail(frames, at(0, 4, 5, 6, 7, 8, 9))).toEqual({ head: 4, tail: 3 });
  });

  it("counts nothing when every frame changes; a picture shown twice already counts", () => {
    expect(stillHeadTail(frames, at(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11))).toEqual({ head: 0, tail: 0 });
    expect(stillHeadTail(frames, at(0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11))).toEqual({ head: 2, tail: 0 });
    expect(stillHeadTail(frames, at(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10))).toEqual({ head: 0, tail: 2 });
  });

  it("calls a take whose picture never changes still from head to tail", () => {
    expect(stillHeadTail(frames, at(0))).toEqual({ head: 12, tail: 12 });
  });
});
