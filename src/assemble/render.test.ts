// Real renders with ffmpeg on tiny generated takes: exact frame count, the song's duration and audio, clean failures.
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Cancelled, UserInputError } from "../errors/index.js";
import { countFrames as countVideoFrames, decodeMono, findTools, probe, runTool } from "../media/index.js";
import { type Rate, SAMPLE_RATE, samplesToFrames } from "../time/index.js";
import { planChunks, renderPreset } from "./filtergraph.js";
import { renderTimeline } from "./render.js";
import { picksOf, planOf, writeSong, writeTakes, writeTestTake } from "./testing.js";
import { buildTimeline, type Timeline } from "./timeline.js";

const tools = findTools();
const fps25: Rate = { num: 25, den: 1 };
const out30: Rate = { num: 30, den: 1 };
let dir: string;
let timeline: Timeline;
const settings = renderPreset("16:9", out30, { shortSide: 180, preset: "ultrafast", crf: 30 });

const countFrames = (file: string) => countVideoFrames(tools, file);

/** Mean luma (0–255) of every frame of a video. */
async function frameLuma(file: string): Promise<number[]> {
  const { stdout } = await runTool(
    tools.ffprobe,
    [
      "-v",
      "error",
      "-f",
      "lavfi",
      "-i",
      `movie=${file},signalstats`,
      "-show_entries",
      "frame_tags=lavfi.signalstats.YAVG",
      "-of",
      "csv=p=0",
    ],
    { captureStdout: true },
  );
  return stdout.toString().trim().split("\n").map(Number);
}

async function packetTimes(file: string): Promise<number[]> {
  const { stdout } = await runTool(
    tools.ffprobe,
    ["-v", "error", "-select_streams", "v:0", "-show_entries", "packet=pts", "-of", "csv=p=0", file],
    { captureStdout: true },
  );
  return stdout.toString().trim().split("\n").map(Number);
}

function correlation(a: Float32Array, b: Float32Array, lag: number): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 1000; i < a.length - 1000; i++) {
    const x = a[i]!;
    const y = b[i + lag] ?? 0;
    ab += x * y;
    aa += x * x;
    bb += y * y;
  }
  return ab / Math.sqrt(aa * bb);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "refrain-assemble-"));
  // Three segments of 2.4 s, 2.0 s and 2.8 s at the provider's 25 fps, rendered at 30 fps.
  const plan = planOf([60, 50, 70], fps25, 8);
  await writeTakes(tools, plan, dir);
  await writeSong(tools, join(dir, "song.wav"), plan.durationSamples);
  timeline = buildTimeline(plan, picksOf(plan, dir), {
    rate: out30,
    songPath: join(dir, "song.wav"),
    transitionFrames: 10,
  });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("renderTimeline", () => {
  for (const [name, clipsPerChunk, preset] of [
    ["in one graph", 6, "ultrafast"],
    // B-frames (x264 veryfast uses 3) are the hard case for joining chunks by stream copy.
    ["in chunks joined by copy", 1, "veryfast"],
  ] as const) {
    it(`renders ${name}: every frame, the song's duration, the master audio`, async () => {
      const out = join(dir, `out-${clipsPerChunk}.mp4`);
      const fractions: number[] = [];
      const commands: string[] = [];
      const result = await renderTimeline(tools, timeline, { ...settings, preset }, out, {
        clipsPerChunk,
        onProgress: (f) => fractions.push(f),
        onCommand: (c) => commands.push(c),
      });
      // One ffmpeg per chunk, plus the audio and the join when there are several.
      const chunks = planChunks(timeline, clipsPerChunk).length;
      expect(commands).toHaveLength(chunks === 1 ? 1 : chunks + 2);
      const expected = samplesToFrames(timeline.audio.durationSamples, out30);
      expect(result.frames).toBe(expected);
      expect(await countFrames(out)).toBe(expected);
      // Constant frame rate across chunk joins: presentation times one frame apart, none repeated.
      const pts = (await packetTimes(out)).sort((a, b) => a - b);
      const steps = new Set(pts.slice(1).map((t, i) => t - pts[i]!));
      expect(steps.size).toBe(1);
      // +faststart: the index comes before the media, so a browser plays while it downloads.
      const bytes = await readFile(out);
      expect(bytes.indexOf("moov")).toBeLessThan(bytes.indexOf("mdat"));
      const info = await probe(tools, out);
      expect(info.video).toMatchObject({ width: 320, height: 180, codec: "h264", rate: out30 });
      expect(info.audio?.codec).toBe("aac");
      // Video and song last the same to the frame.
      expect(Math.abs(info.durationS - timeline.audio.durationSamples / SAMPLE_RATE)).toBeLessThan(1 / 30);
      expect(fractions.at(-1)).toBe(1);
      expect([...fractions].sort((a, b) => a - b)).toEqual(fractions);

      const song = await decodeMono(tools, timeline.audio.path);
      const rendered = await decodeMono(tools, out);
      expect(Math.abs(rendered.length - song.length)).toBeLessThan(SAMPLE_RATE / 30);
      const atZero = correlation(song, rendered, 0);
      expect(atZero).toBeGreaterThan(0.95);
      // Not shifted by a few samples, nor by an AAC encoder's priming (1024 samples).
      for (const lag of [240, 1024, 2048]) {
        expect(atZero).toBeGreaterThan(correlation(song, rendered, lag));
        expect(atZero).toBeGreaterThan(correlation(song, rendered, -lag));
      }
    });
  }

  for (const transition of ["crossfade", "fadeblack"]) {
    it(`blends a ${transition} over exactly its frames, centred on the cut`, async () => {
      const sub = join(dir, `blend-${transition}`);
      await mkdir(sub);
      // A black take, then a white one: every frame's brightness says which clip it shows.
      const plan = planOf([20, 20], fps25, 8);
      for (const [i, colour] of ["black", "white"].entries()) {
        await writeTestTake(
          tools,
          `color=c=${colour}:s=64x64:r=25`,
          plan.segments[i]!.generateFrames,
          join(sub, `take-${i}.mp4`),
        );
      }
      await writeSong(tools, join(sub, "song.wav"), plan.durationSamples);
      const t = buildTimeline(plan, picksOf(plan, sub), {
        rate: fps25,
        songPath: join(sub, "song.wav"),
        transitionFrames: 8,
        transition,
      });
      const out = join(sub, "out.mp4");
      await renderTimeline(tools, t, { ...settings, rate: fps25 }, out);
      const luma = await frameLuma(out);
      expect(luma).toHaveLength(40);
      // Frames 0–15 pure black and 24–39 pure white; the 8 frames from 4 before the cut blend.
      for (const y of luma.slice(0, 16)) expect(y).toBeLessThan(20);
      for (const y of luma.slice(24)) expect(y).toBeGreaterThan(230);
      const blend = luma.slice(16, 24);
      if (transition === "crossfade") {
        expect(blend[0]).toBeLessThan(20);
        for (let k = 1; k < 8; k++) expect(blend[k]!).toBeGreaterThan(blend[k - 1]! + 10);
      } else {
        // Through black: darkest in the middle, brighter towards the end.
        expect(blend[7]!).toBeGreaterThan(blend[3]!);
      }
    });
  }

  it("renders 16 fps takes at 29.97 fps to the exact frame, the last frame included", async () => {
    const sub = join(dir, "wan");
    await mkdir(sub);
    const plan = planOf([64, 48, 36], { num: 16, den: 1 }, 8);
    await writeTakes(tools, plan, sub, "160x120");
    await writeSong(tools, join(sub, "song.wav"), plan.durationSamples);
    const ntsc = { num: 30000, den: 1001 };
    const t = buildTimeline(plan, picksOf(plan, sub), { rate: ntsc, songPath: join(sub, "song.wav") });
    const out = join(sub, "out.mp4");
    const result = await renderTimeline(tools, t, { ...settings, rate: ntsc }, out, { clipsPerChunk: 2 });
    expect(result.frames).toBe(samplesToFrames(plan.durationSamples, ntsc));
    expect(await countFrames(out)).toBe(result.frames);
  });

  it("burns subtitles from a path with spaces, quotes, colons and Chinese", async () => {
    const subDir = join(dir, "歌词 it's: [v1]");
    await mkdir(subDir, { recursive: true });
    const srt = join(subDir, "副歌, 1.srt");
    await writeFile(srt, "1\n00:00:00,500 --> 00:00:05,000\n你好 hello\n");
    const out = join(dir, "subbed.mp4");
    const result = await renderTimeline(
      tools,
      timeline,
      { ...settings, burnSubtitles: true, subtitlesPath: srt },
      out,
      { clipsPerChunk: 2 },
    );
    expect(await countFrames(out)).toBe(result.frames);
  });

  it("names the segment and file of a missing take before ffmpeg starts", async () => {
    const missing = {
      ...timeline,
      tracks: [
        {
          kind: "video" as const,
          children: timeline.tracks[0]!.children.map((c) =>
            c.kind === "clip" && c.segment === 1 ? { ...c, mediaPath: join(dir, "gone.mp4") } : c,
          ),
        },
      ],
    };
    const commands: string[] = [];
    const attempt = renderTimeline(tools, missing, settings, join(dir, "never.mp4"), {
      onCommand: (c) => commands.push(c),
    });
    await expect(attempt).rejects.toThrow(UserInputError);
    await expect(attempt).rejects.toThrow(/segment 1: take t1 .*gone\.mp4: no such file/);
    expect(commands).toEqual([]);
  });

  it("refuses an output folder it cannot write, as bad input", async () => {
    const file = join(dir, "take-0.mp4");
    await expect(renderTimeline(tools, timeline, settings, join(file, "out.mp4"))).rejects.toThrow(
      /cannot write the video to/,
    );
  });

  it("leaves no output, not even a partial one, when cancelled mid-render", async () => {
    const outDir = join(dir, "cancelled");
    await mkdir(outDir);
    const controller = new AbortController();
    const slow = renderPreset("16:9", out30, { shortSide: 720, preset: "veryslow", crf: 10 });
    const attempt = renderTimeline(tools, timeline, slow, join(outDir, "video.mp4"), {
      signal: controller.signal,
      clipsPerChunk: 1,
      onCommand: () => setTimeout(() => controller.abort(), 300),
    });
    await expect(attempt).rejects.toThrow(Cancelled);
    expect(await readdir(outDir)).toEqual([]);
  });
});
