// Render speed and memory: one graph vs chunks joined by copy, against a bare encode of the same frames.
//
// Run: npx tsx bench/render.ts [--preset ultrafast] [--skip-long]
// A 3-minute 1280×720 25 fps video from 30 clips with 0.4 s crossfades (takes are one lavfi
// testsrc2 file encoded once and reused), rendered (a) in one ffmpeg graph and (b) in chunks of
// DEFAULT_CLIPS_PER_CHUNK clips joined by stream copy. Baseline, in the same run: a bare transcode
// of the same number of frames (the take looped → same x264 settings + the same AAC audio), the
// least any render must do; a lavfi-source encode (no decoding) is shown too. Wall time is noisy
// on a shared machine, so the CPU seconds of the ffmpeg children are reported beside it. Then a
// 9-minute, 90-clip chunked render for peak memory (one graph's memory grows with the clip count).
// Peak memory is the most the ffmpeg children held at once (sum of the live ones' VmHWM, every 100 ms).
import { readFileSync } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { resolve } from "node:path";
import type { Lyrics } from "../src/analysis/types.js";
import {
  buildTimeline,
  DEFAULT_CLIPS_PER_CHUNK,
  type PickedTake,
  renderPreset,
  renderTimeline,
} from "../src/assemble/index.js";
import { planOf, writeSong, writeTestTake } from "../src/assemble/testing.js";
import { toAss } from "../src/export/index.js";
import { writeFileAtomic } from "../src/files/index.js";
import { findTools, runFfmpeg, watchFfmpegMemory } from "../src/media/index.js";
import { type Rate, samplesToFrames } from "../src/time/index.js";

const tools = findTools();
const DIR = resolve("bench/out/render");
const fps: Rate = { num: 25, den: 1 };
const arg = (name: string) => process.argv[process.argv.indexOf(name) + 1];
const preset = process.argv.includes("--preset") ? arg("--preset")! : "veryfast";
const settings = renderPreset("16:9", fps, { shortSide: 720, preset, crf: 23 });

/** Peak memory of the ffmpeg children while `work` runs, counted as the render counts its own. */
async function withPeak<T>(work: () => Promise<T>): Promise<{ result: T; peakMiB: number }> {
  const watch = watchFfmpegMemory();
  const result = await work().catch((e) => {
    watch.stop();
    throw e;
  });
  return { result, peakMiB: watch.stop() ?? Number.NaN };
}

/** CPU seconds used by this process's finished children (cutime + cstime): steady on a busy machine. */
function childCpuSeconds(): number {
  const stat = readFileSync(`/proc/${process.pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

/** Segment lengths of about 6 s that vary (frames at 25 fps). */
function lengths(n: number): number[] {
  return Array.from({ length: n }, (_, i) => 130 + ((i * 37) % 41));
}

/** A lyric line every 4 s with five timed words, as karaoke subtitles would show over a whole song. */
function lyricsFor(durationSamples: number): Lyrics {
  const lines = [];
  for (let start = 48_000 * 2; start + 48_000 * 3 < durationSamples; start += 48_000 * 4) {
    const words = Array.from({ length: 5 }, (_, i) => ({
      text: ["hold", "the", "light", "歌声", "longer"][i]!,
      start: start + i * 28_800,
      end: start + i * 28_800 + 24_000,
    }));
    lines.push({ text: words.map((w) => w.text).join(" "), start, end: words[4]!.end, words });
  }
  return { lines, sections: [], estimated: false, format: "lrc-enhanced", warnings: [] };
}

async function setup(clips: number) {
  const plan = planOf(lengths(clips), fps, 8);
  const longest = Math.max(...plan.segments.map((s) => s.generateFrames));
  const take = resolve(DIR, `take-${longest}.mp4`);
  await writeTestTake(tools, "testsrc2=size=1280x720:rate=25", longest, take);
  const song = resolve(DIR, `song-${clips}.wav`);
  await writeSong(tools, song, plan.durationSamples);
  const picks: PickedTake[] = plan.segments.map((s) => ({
    segment: s.index,
    takeId: `t${s.index}`,
    path: take,
    fps,
    frames: longest,
  }));
  const timeline = buildTimeline(plan, picks, { rate: fps, songPath: song, transitionFrames: 10 });
  // The finished-video variant: every clip colour-corrected (a per-plane lutyuv, as src/sync makes)
  // and karaoke lyrics burnt in.
  const coloured = buildTimeline(
    plan,
    picks.map((p) => ({ ...p, colour: { filter: "lutyuv=y=val*0.93+6:u=val*1.02-2:v=val*1.05+1" } })),
    { rate: fps, songPath: song, transitionFrames: 10 },
  );
  const ass = resolve(DIR, `lyrics-${clips}.ass`);
  await writeFileAtomic(
    ass,
    toAss(lyricsFor(plan.durationSamples), { width: 1280, height: 720, preset: "16:9", karaoke: true }),
  );
  return { plan, timeline, coloured, ass, song, take };
}

/** Encodes `frames` frames of `input` with the render's settings: the cost floor of any render. */
async function bare(frames: number, song: string, input: string[]): Promise<Measure> {
  const t0 = performance.now();
  const c0 = childCpuSeconds();
  const { peakMiB } = await withPeak(() =>
    runFfmpeg(tools, [
      ...input,
      "-i",
      song,
      "-map",
      "0:v",
      "-map",
      "1:a",
      "-frames:v",
      String(frames),
      "-c:v",
      "libx264",
      "-preset",
      settings.preset,
      "-crf",
      String(settings.crf),
      "-pix_fmt",
      "yuv420p",
      "-c:a",
      "aac",
      "-b:a",
      "192k",
      "-movflags",
      "+faststart",
      resolve(DIR, "bare.mp4"),
    ]),
  );
  return { seconds: (performance.now() - t0) / 1000, cpu: childCpuSeconds() - c0, peakMiB };
}

async function render(
  timeline: Awaited<ReturnType<typeof setup>>["timeline"],
  clipsPerChunk: number,
  name: string,
  subtitlesPath?: string,
): Promise<Measure> {
  const t0 = performance.now();
  const c0 = childCpuSeconds();
  const withSubs = subtitlesPath ? { ...settings, subtitlesPath, burnSubtitles: true } : settings;
  const r = await renderTimeline(tools, timeline, withSubs, resolve(DIR, `${name}.mp4`), { clipsPerChunk });
  return {
    seconds: (performance.now() - t0) / 1000,
    cpu: childCpuSeconds() - c0,
    peakMiB: r.peakMemoryMiB ?? Number.NaN,
  };
}

await rm(DIR, { recursive: true, force: true });
await mkdir(DIR, { recursive: true });
const rows: string[] = [];
interface Measure {
  seconds: number;
  cpu: number;
  peakMiB: number;
}
/** A table row; the ratios against `base` when there is one (the 9-minute run has none). */
const row = (name: string, r: Measure, base?: Measure) => {
  const ratio = (x: number, b: number | undefined) => (b === undefined ? "—" : (x / b).toFixed(2));
  rows.push(
    `| ${name} | ${r.seconds.toFixed(1)} | ${ratio(r.seconds, base?.seconds)} | ${r.cpu.toFixed(1)} | ${ratio(r.cpu, base?.cpu)} | ${r.peakMiB.toFixed(0)} |`,
  );
};

const shortClips = process.argv.includes("--clips") ? Number(arg("--clips")) : 30;
/** Clips per chunk for the chunked runs (`--chunk N`; default the renderer's own). */
const perChunk = process.argv.includes("--chunk") ? Number(arg("--chunk")) : DEFAULT_CLIPS_PER_CHUNK;
const short = await setup(shortClips);
const frames = samplesToFrames(short.plan.durationSamples, fps);
console.log(`${frames} frames, ${shortClips} clips, preset ${preset}`);
const lavfi = ["-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=25"];
const b = await bare(frames, short.song, ["-stream_loop", "-1", "-i", short.take]);
row(`bare transcode of a take, ${frames} frames (baseline)`, b, b);
// `--quick`: only the baseline and the chunked runs (to compare chunk sizes).
const quick = process.argv.includes("--quick");
if (!quick) {
  row("bare encode of lavfi testsrc2 (no decoding)", await bare(frames, short.song, lavfi), b);
  const one = await render(short.timeline, 1000, "one-graph-3min");
  row(`one graph, ${shortClips} clips`, one, b);
}
const chunked = await render(short.timeline, perChunk, "chunked-3min");
row(`chunks of ${perChunk} clips + copy join`, chunked, b);
const finished = await render(short.coloured, perChunk, "finished-3min", short.ass);
row(`chunks + colour correction on every clip + karaoke burnt in`, finished, b);
if (!process.argv.includes("--skip-long")) {
  const long = await setup(90);
  const lf = samplesToFrames(long.plan.durationSamples, fps);
  console.log(`9 min: ${lf} frames, 90 clips`);
  // The 9-minute run is for memory: chunks hold the same number of clips, so the peak should not grow.
  const long9 = await render(long.timeline, perChunk, "chunked-9min");
  row(`9 min: chunks of ${perChunk} clips + copy join`, long9);
}
console.log(
  "| run | wall s | wall × baseline | CPU s | CPU × baseline | peak MiB |\n|---|---|---|---|---|---|",
);
console.log(rows.join("\n"));
await rm(DIR, { recursive: true, force: true });
