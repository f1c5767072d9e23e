// measureTake against takes made with ffmpeg whose offsets, blank heads and audio quirks are known.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findTools, runFfmpeg } from "../media/index.js";
import { framesToSamples, secondsToSamples, toRate } from "../time/index.js";
import { measureTake } from "./index.js";

const tools = findTools();
const rate = toRate(25);
const halfFrame = framesToSamples(1, rate) / 2;
let dir: string;
const master = () => join(dir, "master.wav");
// The segment's audio the takes were "generated" for: 2.0 s … 5.0 s of the master.
const segment = { startSample: secondsToSamples(2), lengthSamples: secondsToSamples(3) };

interface TakeRecipe {
  /** Seconds the content runs late (negative = early). */
  shiftS: number;
  blackHead?: number;
  frozenHead?: number;
  frozenTail?: number;
  audio?: "none" | "16k-loudnorm" | "44k-quiet" | "48k";
}

/** Makes a take: testsrc2 motion, an optional black or frozen head, and the master's audio shifted by shiftS. */
async function makeTake(name: string, r: TakeRecipe): Promise<string> {
  const out = join(dir, `${name}.mp4`);
  const lengthS = 3;
  const padded = (r.blackHead ?? 0) + (r.frozenHead ?? 0) + (r.frozenTail ?? 0);
  const video = [
    r.frozenTail ? `tpad=stop=${r.frozenTail}:stop_mode=clone` : null,
    r.frozenHead ? `tpad=start=${r.frozenHead}:start_mode=clone` : null,
    r.blackHead ? `tpad=start=${r.blackHead}:color=black` : null,
    "format=yuv420p",
  ]
    .filter(Boolean)
    .join(",");
  const audioArgs: string[] = [];
  const filters = [`[0:v]${video}[v]`];
  if (r.audio !== "none") {
    // Late content: the take's audio starts with silence, then the master from the job's start.
    const from = 2 + Math.max(0, -r.shiftS);
    const delayMs = Math.max(0, r.shiftS) * 1000;
    const quirk =
      r.audio === "16k-loudnorm"
        ? ",loudnorm=I=-16,aresample=16000,aformat=channel_layouts=mono"
        : r.audio === "44k-quiet"
          ? ",volume=-14dB,aresample=44100,aformat=channel_layouts=mono"
          : "";
    filters.push(`[1:a]adelay=${delayMs}:all=1${quirk}[a]`);
    audioArgs.push("-ss", String(from), "-t", String(lengthS + 1), "-i", master());
  }
  await runFfmpeg(tools, [
    "-f",
    "lavfi",
    "-i",
    `testsrc2=s=192x108:r=25:d=${lengthS - padded / 25}`,
    ...audioArgs,
    "-filter_complex",
    filters.join(";"),
    "-map",
    "[v]",
    ...(r.audio !== "none" ? ["-map", "[a]", "-c:a", "aac", "-b:a", "96k"] : []),
    "-t",
    String(lengthS),
    "-c:v",
    "libx264",
    "-preset",
    "ultrafast",
    out,
  ]);
  return out;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "refrain-sync-"));
  // Pink noise with a syllable-like tremolo: no period for the correlation to lock onto wrongly.
  await runFfmpeg(tools, [
    "-f",
    "lavfi",
    "-i",
    "anoisesrc=d=8:c=pink:seed=11:a=0.4:r=48000,tremolo=f=4:d=0.9",
    "-c:a",
    "pcm_s16le",
    master(),
  ]);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("measureTake", () => {
  it("finds content 0.3 s late behind black head frames", async () => {
    const take = await makeTake("late-black", { shiftS: 0.3, blackHead: 7, audio: "48k" });
    const sync = await measureTake(tools, take, { path: master(), ...segment }, { rate });
    expect(Math.abs(sync.offsetSamples! - secondsToSamples(0.3))).toBeLessThanOrEqual(halfFrame);
    expect(sync.confidence).toBeGreaterThan(0.5);
    expect(sync.headBlackFrames).toBe(7);
    expect(sync.tailBlackFrames).toBe(0);
    expect(sync.frames).toBe(75);
    expect(sync.durationSamples).toBe(secondsToSamples(3));
    expect([sync.width, sync.height]).toEqual([192, 108]);
  });

  it("finds a frozen head of 5 frames and early content in 16 kHz loudness-normalised audio", async () => {
    const take = await makeTake("early-frozen-16k", { shiftS: -0.12, frozenHead: 5, audio: "16k-loudnorm" });
    const sync = await measureTake(tools, take, { path: master(), ...segment }, { rate });
    expect(Math.abs(sync.offsetSamples! - secondsToSamples(-0.12))).toBeLessThanOrEqual(halfFrame);
    // Five clones plus the original first frame show the same picture; x264 refines a still picture
    // over the next frames, so the last of them may already differ beyond freezedetect's tolerance.
    expect(sync.headFrozenFrames).toBeGreaterThanOrEqual(5);
    expect(sync.headFrozenFrames).toBeLessThanOrEqual(6);
    expect(sync.headBlackFrames).toBe(0);
  });

  it("ignores loudness and sample rate: quiet 44.1 kHz audio half a second late", async () => {
    const take = await makeTake("late-quiet-44k", { shiftS: 0.5, audio: "44k-quiet" });
    const sync = await measureTake(tools, take, { path: master(), ...segment }, { rate });
    expect(Math.abs(sync.offsetSamples! - secondsToSamples(0.5))).toBeLessThanOrEqual(halfFrame);
  });

  it("counts a frozen tail", async () => {
    const take = await makeTake("frozen-tail", { shiftS: 0, frozenTail: 9, audio: "48k" });
    const sync = await measureTake(tools, take, { path: master(), ...segment }, { rate });
    expect(Math.abs(sync.offsetSamples!)).toBeLessThanOrEqual(halfFrame);
    expect(sync.tailFrozenFrames).toBe(10);
    expect(sync.headFrozenFrames).toBe(0);
  });

  it("does not call a take frozen where only a small part of the picture moves", async () => {
    // A still background with a small box sliding across it, as a talking head moves only its mouth:
    // the whole-frame mean changes less than freezedetect's -60 dB, but some 8×8 block changes every frame.
    const out = join(dir, "small-motion.mp4");
    await runFfmpeg(tools, [
      "-f",
      "lavfi",
      "-i",
      "smptebars=s=256x144:r=25:d=3",
      "-f",
      "lavfi",
      "-i",
      "color=c=red:s=12x12:r=25:d=3",
      "-filter_complex",
      "[0:v][1:v]overlay=x='mod(n*2,W)':y=(H-h)/2:shortest=1,format=yuv420p[v]",
      "-map",
      "[v]",
      "-c:v",
      "libx264",
      "-preset",
      "ultrafast",
      out,
    ]);
    const sync = await measureTake(tools, out, { path: master(), ...segment }, { rate });
    expect(sync.frames).toBe(75);
    expect(sync).toMatchObject({ headFrozenFrames: 0, tailFrozenFrames: 0 });
  });

  it("reports a null offset for a take without audio", async () => {
    const take = await makeTake("silent", { shiftS: 0, audio: "none" });
    const sync = await measureTake(tools, take, { path: master(), ...segment }, { rate });
    expect(sync.offsetSamples).toBeNull();
    expect(sync.confidence).toBe(0);
    expect(sync.frames).toBe(75);
  });

  it("rejects a file that is not media with a typed error naming it", async () => {
    await expect(measureTake(tools, master(), { path: master(), ...segment }, { rate })).rejects.toThrow(
      /take .*master\.wav has no video stream/,
    );
  });
});
