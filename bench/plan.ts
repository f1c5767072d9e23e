// Measures the planner on synthetic 3-minute songs against a fixed-length baseline run in the same process.
//
// Run: npx tsx bench/plan.ts [songs] [--synthetic | --evalset]   (both parts unless one is named)
//   synthetic: 8 seeded 3-minute songs by default, each plan timed over 10 runs;
//   evalset:   the evaluation set, each song analysed as the CLI does, planned for InfiniteTalk and its
//              cuts scored against the true words and beats, plus analyse+plan speed against aubio.
// Baseline: cut every `target` seconds on the nearest frame, ignoring lyrics and beats, with the
// same handles and frame rules — what a planner without analysis would do. Reported per model
// family: plan time, waste (frames generated ÷ frames used in the video, handles shown in a
// crossfade counted as used; beside it the figure before 2026-11-26, frames generated ÷ the song's
// frames, handles counted as waste), median distance from a cut to the nearest beat, cuts inside a
// sung word, and cuts in a gap between lyric lines.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { loadavg } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import type { Analysis, Span } from "../src/analysis/types.js";
import { findTools } from "../src/media/index.js";
import {
  type ClipConstraints,
  CONSTRAINTS,
  framesUsed,
  type Plan,
  type PlanOptions,
  planSong,
} from "../src/plan/index.js";
import { realisticSong } from "../src/plan/testing.js";
import {
  fitFrames,
  framesToSamples,
  SAMPLE_RATE,
  samplesToFrames,
  secondsToSamples,
} from "../src/time/index.js";
import { buildEvalset, SONGS as EVAL_SONGS } from "./evalset/build.js";
import {
  IT,
  IT_OPTIONS,
  IT_TRANSITION,
  type LeastWaste,
  LYRIC_MODES,
  type LyricsMode,
  leastWaste,
  leastWasteOnBeat,
  median as median2,
  type PlanTruth,
  planScored,
  SetFigures,
  scorePlan,
} from "./evalset/score.js";
import { bestOfSeconds } from "./timing.js";

const SONGS = Number(process.argv[2] ?? 8) || 8;
const REPEATS = 10;
const TARGET_S = 9.5;

/** The baseline: equal segments of TARGET_S, the last one taking the remainder (merged if short). */
function fixedLength(a: Analysis, c: ClipConstraints, options: PlanOptions): Plan {
  const total = samplesToFrames(a.durationSamples, c.fps);
  const step = samplesToFrames(secondsToSamples(TARGET_S), c.fps);
  const bounds: number[] = [];
  for (let f = 0; f < total; f += step) bounds.push(f);
  if (total - bounds[bounds.length - 1]! < step / 2 && bounds.length > 1) bounds.pop();
  bounds.push(total);
  const transition = options.transitionFrames ?? samplesToFrames(secondsToSamples(0.32), c.fps);
  const handle = Math.ceil(transition / 2);
  const segments = bounds.slice(0, -1).map((f, k) => {
    const frames = bounds[k + 1]! - f;
    const handleBefore = k === 0 ? 0 : handle;
    const handleAfter = k === bounds.length - 2 ? 0 : handle;
    return {
      index: k,
      start: framesToSamples(f, c.fps),
      end: framesToSamples(bounds[k + 1]!, c.fps),
      frames,
      kind: "vocal" as const,
      handleBefore,
      handleAfter,
      generateFrames: fitFrames(c.frameRule, Math.max(frames + handleBefore + handleAfter, c.minFrames)),
    };
  });
  const generated = segments.reduce((n, s) => n + s.generateFrames, 0);
  return {
    provider: options.provider,
    fps: c.fps,
    durationSamples: a.durationSamples,
    segments,
    cuts: segments.slice(1).map((s) => s.start),
    wasteRatio: generated / framesUsed(segments, transition),
    warnings: [],
  };
}

const nearest = (xs: readonly number[], x: number) => Math.min(...xs.map((b) => Math.abs(b - x)));
const inside = (spans: readonly Span[], x: number) => spans.some((s) => s.start < x && x < s.end);
const median = (xs: number[]) => [...xs].sort((p, q) => p - q)[xs.length >> 1] ?? Number.NaN;

/** The old figure: frames generated ÷ the song's frames, every handle frame counted as waste. */
const perSongFrame = (plan: Plan) =>
  plan.segments.reduce((n, s) => n + s.generateFrames, 0) / plan.segments.reduce((n, s) => n + s.frames, 0);

interface Score {
  ms: number[];
  waste: number[];
  /** Frames generated ÷ the song's frames (handles as waste), the figure before 2026-11-26. */
  perSong: number[];
  beatMs: number[];
  inWord: number;
  lineGap: number;
  cuts: number;
}

function score(
  planner: (a: Analysis, c: ClipConstraints, o: PlanOptions) => Plan,
  family: keyof typeof CONSTRAINTS,
  songs: Analysis[],
): Score {
  const s: Score = { ms: [], waste: [], perSong: [], beatMs: [], inWord: 0, lineGap: 0, cuts: 0 };
  for (const a of songs) {
    const options = { provider: family };
    let plan = planner(a, CONSTRAINTS[family], options);
    const t0 = performance.now();
    for (let r = 0; r < REPEATS; r++) plan = planner(a, CONSTRAINTS[family], options);
    s.ms.push((performance.now() - t0) / REPEATS);
    s.waste.push(plan.wasteRatio);
    s.perSong.push(perSongFrame(plan));
    const lines = a.lyrics?.lines ?? [];
    const words = lines.flatMap((l): readonly Span[] => l.words ?? [l]);
    for (const cut of plan.cuts) {
      s.beatMs.push((nearest(a.beats, cut) * 1000) / SAMPLE_RATE);
      if (inside(words, cut)) s.inWord++;
      else if (!inside(lines, cut)) s.lineGap++;
      s.cuts++;
    }
  }
  return s;
}

function synthetic(): void {
  const songs = Array.from({ length: SONGS }, (_, k) => realisticSong({ seconds: 180, seed: k + 1 }));
  const mean = (xs: number[]) => xs.reduce((p, q) => p + q, 0) / xs.length;
  console.log(
    `${SONGS} synthetic 3-minute songs, 118 bpm, a line every 3–5 s; ${REPEATS} timed runs per plan`,
  );
  console.log(
    "family                | plan ms (median) | waste mean / worst | generated ÷ song frames (handles as waste) mean / worst | median cut→beat ms | cuts in words | cuts in line gaps",
  );
  const overhead = (p: number[], b: number[]) =>
    mean(b) - 1 > 1e-12
      ? `${((mean(p) - 1) / (mean(b) - 1)).toFixed(2)}× the baseline's`
      : "— (the baseline wastes nothing either)";
  for (const family of Object.keys(CONSTRAINTS) as (keyof typeof CONSTRAINTS)[]) {
    const p = score(planSong, family, songs);
    const b = score(fixedLength, family, songs);
    const row = (name: string, s: Score) =>
      console.log(
        `${name.padEnd(21)} | ${median(s.ms).toFixed(2).padStart(16)} | ` +
          `${mean(s.waste).toFixed(4)} / ${Math.max(...s.waste).toFixed(4)}    | ` +
          `${mean(s.perSong).toFixed(4)} / ${Math.max(...s.perSong).toFixed(4)}`.padEnd(54) +
          " | " +
          `${median(s.beatMs).toFixed(1).padStart(18)} | ${`${s.inWord}/${s.cuts}`.padStart(13)} | ` +
          `${((100 * s.lineGap) / s.cuts).toFixed(0).padStart(16)}%`,
      );
    // Waste overhead (frames generated beyond those used) as a ratio of the baseline's, same run.
    row(family, p);
    console.log(
      `${"".padEnd(21)} | waste overhead ${overhead(p.waste, b.waste)} ` +
        `(generated ÷ song frames: ${overhead(p.perSong, b.perSong)}), ` +
        `cut→beat ${(median(p.beatMs) / median(b.beatMs)).toFixed(2)}× the baseline's`,
    );
    row("  fixed-length base", b);
  }
}

const EVAL_DIR = resolve("bench/out/evalset");
const run = promisify(execFile);
type Lyrics = LyricsMode;
const planEvalSong = (tools: ReturnType<typeof findTools>, truth: PlanTruth, lyrics: Lyrics) =>
  planScored(tools, EVAL_DIR, truth, lyrics);
const load = () =>
  loadavg()
    .map((x) => x.toFixed(1))
    .join(" / ");

/** Planner figures on the evaluation set, and the 3-minute speed against aubio, in one run. */
async function evalset(): Promise<void> {
  if (!EVAL_SONGS.every((s) => existsSync(join(EVAL_DIR, `${s.id}.suno-rough.json`)))) {
    const t0 = performance.now();
    await buildEvalset(EVAL_DIR);
    console.error(`built the evaluation set in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  const tools = findTools();
  console.log(`load average at start (1/5/15 min): ${load()}; ${new Date().toISOString()}`);
  console.log(
    "InfiniteTalk (25 fps, 81 + 72k frames), 0.32 s crossfades; cuts scored against the true words\n",
  );
  console.log(
    "| song | lyrics given | vocal source | cuts | cuts in words | closest cut to a word ms | median cut→beat ms | waste | least waste possible | generated ÷ song frames (handles as waste) | its least possible |",
  );
  console.log("|---|---|---|---|---|---|---|---|---|---|---|");
  const all = Object.fromEntries(LYRIC_MODES.map((m) => [m, new SetFigures()])) as Record<Lyrics, SetFigures>;
  const analysed: { truth: PlanTruth; lyrics: Lyrics; analysis: Analysis }[] = [];
  for (const s of EVAL_SONGS) {
    const truth = JSON.parse(await readFile(join(EVAL_DIR, `${s.id}.json`), "utf8")) as PlanTruth;
    let bound: LeastWaste | undefined;
    for (const lyrics of LYRIC_MODES) {
      const { analysis, plan, score: sc } = await planEvalSong(tools, truth, lyrics);
      analysed.push({ truth, lyrics, analysis });
      // The least any plan could waste with the planner's default 4–15 s segments and 8-frame crossfades.
      bound ??= leastWaste(truth, analysis.durationSamples, IT, IT_TRANSITION, 100, 375);
      const beat = median2(sc.beatMs);
      all[lyrics].add(plan, sc, bound);
      const where = sc.inWord.map(
        (w) => `"${w.word}" ${w.startS.toFixed(2)}–${w.endS.toFixed(2)} cut ${w.cutS.toFixed(2)}`,
      );
      console.log(
        `| ${s.id} | ${lyrics} | ${analysis.vocalSource} | ${sc.cuts} | ${sc.inWord.length}${where.length ? ` (${where.join("; ")})` : ""} | ` +
          `${sc.clearanceMs.toFixed(0)} | ${Number.isFinite(beat) ? beat.toFixed(1) : "— (no beat)"} | ` +
          `${sc.wasteRatio.toFixed(4)} | ${bound.wasteRatio.toFixed(4)} | ` +
          `${sc.generatedPerSongFrame.toFixed(4)} | ${bound.generatedPerSongFrame.toFixed(4)} |`,
      );
    }
  }
  console.log(`\n| lyrics given | ${SetFigures.HEADER} |`);
  console.log(`|---|${SetFigures.RULE}`);
  for (const lyrics of LYRIC_MODES) console.log(`| ${lyrics} | ${all[lyrics].row()} |`);
  longerSegments(analysed);
  bothFigures(analysed);
  await evalSpeed(tools);
  console.log(`\nload average at end (1/5/15 min): ${load()}`);
}

/**
 * The same songs planned with a longer maximum segment (as `--max-s` or `plan.max_s` would ask):
 * what it saves in waste, against what one re-roll of a segment then costs (its job's frames).
 */
function longerSegments(analysed: { truth: PlanTruth; lyrics: Lyrics; analysis: Analysis }[]): void {
  console.log(
    "\nLonger segments (InfiniteTalk allows 37.8 s jobs): the same analyses planned with other maxima\n",
  );
  console.log(
    `| max segment s | lyrics given | ${SetFigures.HEADER} | seconds a re-roll generates (mean job) |`,
  );
  console.log(`|---|---|${SetFigures.RULE}---|`);
  for (const maxS of [15, 20, 25]) {
    for (const lyrics of ["none", "lrc"] as const) {
      const f = new SetFigures();
      for (const a of analysed.filter((x) => x.lyrics === lyrics)) {
        const plan = planSong(a.analysis, IT, { ...IT_OPTIONS, maxSeconds: maxS });
        const bound = leastWaste(
          a.truth,
          a.analysis.durationSamples,
          IT,
          IT_TRANSITION,
          100,
          Math.round(maxS * 25),
        );
        f.add(plan, scorePlan(plan, a.truth), bound);
      }
      const job = f.jobFrames.reduce((p, q) => p + q, 0) / f.jobFrames.length / 25;
      console.log(`| ${maxS} | ${lyrics} | ${f.row()} | ${job.toFixed(1)} |`);
    }
  }
}

/**
 * Per song with a beat: could any plan have met both per-song figures (median cut→beat ≤ 40 ms and
 * waste ≤ 1.05)? The least waste of a plan with at least half its cuts within 40 ms of a true beat,
 * cutting anywhere between the true words, and again keeping 0.1 s before the next word — the
 * least slack for timings that are off by up to 80 ms (the planner keeps `CUT_COST.timingSlackS`,
 * 0.15 s, so a bound here holds for its plans too); beside the planner's own figures with the LRC.
 * A bound above 1.05 means no such plan exists under the planner's 4–15 s.
 */
function bothFigures(analysed: { truth: PlanTruth; lyrics: Lyrics; analysis: Analysis }[]): void {
  console.log(
    "\nBoth figures per song: least waste of any plan with ≥ half its cuts within 40 ms of a beat " +
      "(4–15 s segments, 8-frame crossfades)\n",
  );
  console.log(
    "| song | planner (lrc): median cut→beat ms / waste | cutting anywhere between words: least waste | keeping 0.1 s before a word: least waste |",
  );
  console.log("|---|---|---|---|");
  for (const a of analysed.filter((x) => x.lyrics === "lrc")) {
    const bound = (clearS: number) => {
      const b = leastWasteOnBeat(
        a.truth,
        a.analysis.durationSamples,
        IT,
        IT_TRANSITION,
        100,
        375,
        40,
        clearS,
      );
      return b === undefined ? "no plan" : b.toFixed(4);
    };
    if (a.truth.beats_s.length === 0) continue;
    const plan = planSong(a.analysis, IT, IT_OPTIONS);
    const sc = scorePlan(plan, a.truth);
    console.log(
      `| ${a.truth.id} | ${median2(sc.beatMs).toFixed(1)} / ${sc.wasteRatio.toFixed(4)} | ${bound(0)} | ${bound(0.1)} |`,
    );
  }
}

/** analyzeSong + planSong on the 3-minute song against aubio beat + tempo on the same file, same run. */
async function evalSpeed(tools: ReturnType<typeof findTools>): Promise<void> {
  const truth = JSON.parse(await readFile(join(EVAL_DIR, "long-3min-118.json"), "utf8")) as PlanTruth;
  const file = join(EVAL_DIR, truth.file);
  const withVad = await bestOfSeconds(() => planEvalSong(tools, truth, "none"));
  const cpu0 = process.cpuUsage();
  await planEvalSong(tools, truth, "none");
  const cpu = process.cpuUsage(cpu0);
  const withSuno = await bestOfSeconds(() => planEvalSong(tools, truth, "suno"));
  const aubio = await bestOfSeconds(async () => {
    await run("aubio", ["beat", file], { maxBuffer: 1 << 24 });
    await run("aubio", ["tempo", file]);
  });
  console.log(`\n3-minute song (${truth.file}), best of 3, load average now ${load()}:\n`);
  console.log("| step | wall s |\n|---|---|");
  console.log(
    `| analyzeSong + planSong, no lyrics (decode, beats, VAD on 2 workers, plan) | ${withVad.toFixed(2)} |`,
  );
  console.log(
    `| the same, CPU seconds of this process (both cores summed; ffmpeg decode not counted) | ${((cpu.user + cpu.system) / 1e6).toFixed(2)} |`,
  );
  console.log(`| analyzeSong + planSong with Suno aligned words (VAD skipped) | ${withSuno.toFixed(2)} |`);
  console.log(`| aubio beat + aubio tempo (baseline tracker, beats only) | ${aubio.toFixed(2)} |`);
  console.log(
    `\nratios in this run: analyse+plan / aubio = ${(withVad / aubio).toFixed(2)} (no lyrics), ${(withSuno / aubio).toFixed(2)} (Suno words)`,
  );
}

// Both by default (as `npm run bench` runs it); --synthetic or --evalset for one of them.
if (!process.argv.includes("--evalset")) synthetic();
if (!process.argv.includes("--synthetic")) {
  if (!process.argv.includes("--evalset")) console.log("");
  await evalset();
}
