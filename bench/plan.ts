// Measures the planner on synthetic 3-minute songs against a fixed-length baseline run in the same process.
//
// Run: npx tsx bench/plan.ts [songs]   (default 8 seeded songs; each plan is timed over 10 runs)
// Baseline: cut every `target` seconds on the nearest frame, ignoring lyrics and beats, with the
// same handles and frame rules — what a planner without analysis would do. Reported per model
// family: plan time, waste ratio (frames generated ÷ frames shown), median distance from a cut to
// the nearest beat, cuts inside a sung word, and cuts in a gap between lyric lines.
import type { Analysis, Span } from "../src/analysis/types.js";
import {
  type ClipConstraints,
  CONSTRAINTS,
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

const SONGS = Number(process.argv[2] ?? 8);
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
  const handle = Math.ceil((options.transitionFrames ?? samplesToFrames(secondsToSamples(0.32), c.fps)) / 2);
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
    wasteRatio: generated / total,
    warnings: [],
  };
}

const nearest = (xs: readonly number[], x: number) => Math.min(...xs.map((b) => Math.abs(b - x)));
const inside = (spans: readonly Span[], x: number) => spans.some((s) => s.start < x && x < s.end);
const median = (xs: number[]) => [...xs].sort((p, q) => p - q)[xs.length >> 1] ?? Number.NaN;

interface Score {
  ms: number[];
  waste: number[];
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
  const s: Score = { ms: [], waste: [], beatMs: [], inWord: 0, lineGap: 0, cuts: 0 };
  for (const a of songs) {
    const options = { provider: family };
    let plan = planner(a, CONSTRAINTS[family], options);
    const t0 = performance.now();
    for (let r = 0; r < REPEATS; r++) plan = planner(a, CONSTRAINTS[family], options);
    s.ms.push((performance.now() - t0) / REPEATS);
    s.waste.push(plan.wasteRatio);
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

const songs = Array.from({ length: SONGS }, (_, k) => realisticSong({ seconds: 180, seed: k + 1 }));
const mean = (xs: number[]) => xs.reduce((p, q) => p + q, 0) / xs.length;
console.log(`${SONGS} synthetic 3-minute songs, 118 bpm, a line every 3–5 s; ${REPEATS} timed runs per plan`);
console.log(
  "family                | plan ms (median) | waste mean / worst | median cut→beat ms | cuts in words | cuts in line gaps",
);
for (const family of Object.keys(CONSTRAINTS) as (keyof typeof CONSTRAINTS)[]) {
  const p = score(planSong, family, songs);
  const b = score(fixedLength, family, songs);
  const row = (name: string, s: Score) =>
    console.log(
      `${name.padEnd(21)} | ${median(s.ms).toFixed(2).padStart(16)} | ` +
        `${mean(s.waste).toFixed(4)} / ${Math.max(...s.waste).toFixed(4)}    | ` +
        `${median(s.beatMs).toFixed(1).padStart(18)} | ${`${s.inWord}/${s.cuts}`.padStart(13)} | ` +
        `${((100 * s.lineGap) / s.cuts).toFixed(0).padStart(16)}%`,
    );
  // Waste overhead (frames generated beyond those shown) as a ratio of the baseline's, same run.
  row(family, p);
  console.log(
    `${"".padEnd(21)} | waste overhead ${((mean(p.waste) - 1) / (mean(b.waste) - 1)).toFixed(2)}× the baseline's, ` +
      `cut→beat ${(median(p.beatMs) / median(b.beatMs)).toFixed(2)}× the baseline's`,
  );
  row("  fixed-length base", b);
}
