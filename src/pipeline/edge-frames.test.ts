// A take's black or frozen head and tail never reach the picture: measured, placed and rendered with real ffmpeg.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildTimeline,
  type Clip,
  type PickedTake,
  renderPreset,
  renderTimeline,
} from "../assemble/index.js";
import { planOf, writeSong } from "../assemble/testing.js";
import { countFrames, findTools, runFfmpeg, runTool } from "../media/index.js";
import { measureTake } from "../sync/index.js";
import { type Rate, rateToString } from "../time/index.js";
import { pickOf } from "./takes.js";

const tools = findTools();
const fps25: Rate = { num: 25, den: 1 };
const out30: Rate = { num: 30, den: 1 };
// Three segments of 40 frames with 4-frame handles; each take is testsrc2 with its own hue.
const plan = planOf([40, 40, 40], fps25, 4);
// Take 0 freezes for its last 3 frames; take 1 is black for 3 frames (inside its head handle);
// take 2 is black for 6 (2 of them inside the segment itself).
const edges = [
  { blackHead: 0, frozenTail: 3 },
  { blackHead: 3, frozenTail: 0 },
  { blackHead: 6, frozenTail: 0 },
];
let dir: string;
let picks: PickedTake[];

/** Mean luma of every frame of a video, in order. */
async function lumaPerFrame(file: string): Promise<number[]> {
  const { stdout } = await runTool(
    tools.ffmpeg,
    [
      "-v",
      "error",
      "-i",
      file,
      "-vf",
      "signalstats,metadata=mode=print:key=lavfi.signalstats.YAVG:file=-",
      "-f",
      "null",
      "-",
    ],
    { captureStdout: true },
  );
  return [...stdout.toString().matchAll(/YAVG=([\d.]+)/g)].map((m) => Number(m[1]));
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "refrain-edges-"));
  const song = join(dir, "song.wav");
  await writeSong(tools, song, plan.durationSamples);
  picks = [];
  for (const [i, segment] of plan.segments.entries()) {
    const { blackHead, frozenTail } = edges[i]!;
    const path = join(dir, `take-${i}.mp4`);
    const moving = segment.generateFrames - frozenTail;
    // Lossless, so the frozen frames stay identical: lossy static frames drift past freezedetect's
    // default -60 dB (a calibration question for measureTake, not for placing).
    await runFfmpeg(tools, [
      "-f",
      "lavfi",
      "-i",
      `testsrc2=size=128x128:rate=${rateToString(fps25)},hue=h=${i * 47},` +
        `drawbox=color=black:t=fill:enable='lt(n,${blackHead})',` +
        `trim=end_frame=${moving},tpad=stop_mode=clone:stop=${frozenTail}`,
      "-frames:v",
      String(segment.generateFrames),
      "-c:v",
      "libx264",
      "-preset",
      "ultrafast",
      "-qp",
      "0",
      path,
    ]);
    const sync = await measureTake(
      tools,
      path,
      { path: song, startSample: 0, lengthSamples: plan.durationSamples },
      { rate: fps25 },
    );
    picks.push(
      pickOf(
        plan,
        segment,
        { id: `t${i}`, path },
        { sync, colour: { driftBefore: 0, driftAfter: 0, filter: null } },
      ),
    );
  }
}, 20_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("a take's black or frozen edges", () => {
  it("are measured and kept out of the usable range", () => {
    expect(picks.map((p) => p.usableRange)).toEqual([
      // The last moving frame and its 3 copies are one frozen run of 4.
      { startFrame: 0, durationFrames: 44 - 4 },
      { startFrame: 3, durationFrames: 48 - 3 },
      { startFrame: 6, durationFrames: 44 - 6 },
    ]);
  });

  it("never show in a crossfade or a segment's held head, and the frame count stays exact", async () => {
    const timeline = buildTimeline(plan, picks, {
      rate: out30,
      songPath: join(dir, "song.wav"),
      transitionFrames: 8,
      // A hard cut into segment 2, so its held head frames show on their own, not under a crossfade.
      transitionsBySection: { verse: "cut" },
    });
    const clips = timeline.tracks[0]!.children.filter((c): c is Clip => c.kind === "clip");
    expect(clips[2]!.holdHeadFrames).toBeGreaterThan(0);
    expect(timeline.tracks[0]!.children.filter((c) => c.kind === "transition")).toHaveLength(1);
    const settings = renderPreset("1:1", out30, { shortSide: 96, preset: "ultrafast", crf: 30 });
    // In one graph, and in one chunk per clip (a chunk may begin inside a clip's plain part).
    for (const clipsPerChunk of [6, 1]) {
      const out = join(dir, `out-${clipsPerChunk}.mp4`);
      await renderTimeline(tools, timeline, settings, out, { clipsPerChunk });
      expect(await countFrames(tools, out)).toBe(timeline.durationFrames);
      const luma = await lumaPerFrame(out);
      expect(luma).toHaveLength(timeline.durationFrames);
      // testsrc2 keeps its mean luma within a few levels; a black frame, even blended in part, drags it down.
      const typical = [...luma].sort((a, b) => a - b)[Math.floor(luma.length / 2)]!;
      const dark = luma.flatMap((y, frame) => (y < 0.9 * typical ? [{ frame, y }] : []));
      expect(dark).toEqual([]);
    }
  }, 20_000);
});
