// The planner: cuts a song into segments by dynamic programming over frame boundaries, under a clip provider's constraints.
//
// Every cut is a frame boundary of the provider's fps, so segment frames sum exactly to the song's
// frames. A cut's cost comes from candidates.ts (pauses, beats, downbeats, sections); a segment's
// cost from its length: frames the provider generates beyond those shown (handles and padding up
// to the frame rule) and distance from a target length. The DP only links boundaries whose
// distance is a permissible segment length, so a 3-minute song plans in milliseconds.
import type { Analysis, Span } from "../analysis/types.js";
import { UserInputError } from "../errors/index.js";
import {
  fitFrames,
  framesToSamples,
  rateToNumber,
  SAMPLE_RATE,
  samplesToFrames,
  samplesToSeconds,
  secondsToSamples,
} from "../time/index.js";
import { cutCosts, type SungSpans, spanAt, sungSpans } from "./candidates.js";
import type { ClipConstraints, Plan, Segment } from "./types.js";

export interface PlanOptions {
  /** Provider name recorded on the plan (e.g. "local", "comfyui"). */
  provider: string;
  /** Shortest segment wanted, seconds (default 4). Raised to what the provider allows. */
  minSeconds?: number;
  /** Longest segment wanted, seconds (default 15). Lowered to what the provider allows. */
  maxSeconds?: number;
  /** Length the planner leans towards, seconds (default: midway between min and max). */
  targetSeconds?: number;
  /**
   * Frames of the crossfade at each cut, at the provider's fps (default 0.32 s: 8 at 25 fps).
   * Each side of a cut gets ⌈transitionFrames / 2⌉ handle frames.
   */
  transitionFrames?: number;
  /** Cuts on a downbeat become hard cuts with no crossfade, so they need no handles. */
  hardCutOnDownbeats?: boolean;
}

export const PLAN_DEFAULTS = {
  minSeconds: 4,
  /**
   * 15 s for every provider, though InfiniteTalk streams 37.8 s: on the evaluation set a 20 s
   * maximum generates 0.7 % fewer frames (÷ the song's frames, 1.0475 → 1.040; almost all of it
   * crossfade frames, so the waste, frames-weighted, only goes 1.0252 → 1.0245) but makes the
   * average job, so each re-roll of one segment, 30 % longer (12.0 → 15.6 s). If a take's chance of a
   * flaw grows with its length, re-rolled frames grow 30 % too, which outweighs the saving once more
   * than ~2.5 % of frames are re-rolled. It also leaves short songs two cuts, where one off the beat
   * sets their median (docs/bench/plan.md). `--max-s` / `plan.max_s` raise it.
   */
  maxSeconds: 15,
  transitionSeconds: 0.32,
  /** A segment singing less than this in total is instrumental: the generator keeps lips still. */
  instrumentalBelowSeconds: 0.3,
} as const;

/** What a segment's length costs, in the unit of CUT_COST. */
export const LENGTH_COST = {
  /**
   * Per second generated beyond the segment's own frames (handles and padding to the frame rule).
   * Handles are shown, blended, in the crossfade (they are not waste: see `Plan.wasteRatio`), but
   * they are still generated and paid for, so each soft cut costs its handles here.
   */
  wastedSecond: 2.5,
  /**
   * Per second of padding to the frame rule, on top of `wastedSecond`: linear, so the same frames
   * generated cost the same however they are spread over segments. (A square of each segment's
   * padding made two half-paddings cheaper than one, and moved a cut 258 ms off a downbeat to split
   * 19 padding frames 11 + 8.) A whole InfiniteTalk window (72 frames, 2.88 s) costs 24.5 with
   * `wastedSecond`, far more than any cut's place; 3 frames of Wan S2V rounding cost 1.6, about a
   * frame off the beat. Chosen on the evaluation set and the synthetic songs (docs/bench/plan.md):
   * 5–6.5 hold every figure; 7 or more splits a word without lyrics to save a window.
   */
  padding: 6,
  /** Times the squared relative distance from the target length. */
  offTarget: 2,
} as const;

interface Limits {
  readonly minLen: number;
  readonly maxLen: number;
}

/** Length costs per handle case, indexed by segment frames; Infinity where the length is not allowed. */
type LengthTables = readonly [Float64Array, Float64Array, Float64Array, Float64Array];

function fail(message: string, hint?: string): never {
  throw new UserInputError(`plan: ${message}`, hint ? { hint } : {});
}

function positiveSeconds(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0)
    fail(`${name} must be a positive number of seconds, got ${value}`);
  return value;
}

/** m:ss.mmm, for warnings a musician reads. */
export function formatTime(samples: number): string {
  const ms = Math.round((samples * 1000) / SAMPLE_RATE);
  const m = Math.floor(ms / 60_000);
  const s = ((ms % 60_000) / 1000).toFixed(3).padStart(6, "0");
  return `${m}:${s}`;
}

function seconds(samples: number): string {
  return `${Math.round(samplesToSeconds(samples) * 100) / 100} s`;
}

/** Frames the provider generates for a job of `job` frames, or Infinity when it cannot. */
function generateFor(c: ClipConstraints, job: number, jobSamplesLow: number, jobSamplesHigh: number): number {
  if (c.minAudioSamples !== undefined && jobSamplesLow < c.minAudioSamples) return Number.POSITIVE_INFINITY;
  if (c.maxAudioSamples !== undefined && jobSamplesHigh >= c.maxAudioSamples) return Number.POSITIVE_INFINITY;
  const gen = fitFrames(c.frameRule, Math.max(job, c.minFrames));
  return gen > c.maxFrames ? Number.POSITIVE_INFINITY : gen;
}

/** Whether the provider can make a segment of `len` frames with these handles. */
function providerAllows(c: ClipConstraints, len: number, hb: number, ha: number): boolean {
  const job = len + hb + ha;
  const perFrame = (SAMPLE_RATE * c.fps.den) / c.fps.num;
  return Number.isFinite(generateFor(c, job, Math.floor(job * perFrame), Math.ceil(job * perFrame)));
}

function lengthTables(c: ClipConstraints, limits: Limits, handle: number, target: number): LengthTables {
  const fps = rateToNumber(c.fps);
  // Samples of a job vary by a sample with its start at rates like 30000/1001: bound both ways.
  const perFrame = (SAMPLE_RATE * c.fps.den) / c.fps.num;
  const make = (hb: number, ha: number) => {
    const t = new Float64Array(limits.maxLen + 1).fill(Number.POSITIVE_INFINITY);
    for (let len = Math.max(1, limits.minLen); len <= limits.maxLen; len++) {
      const job = len + hb + ha;
      const gen = generateFor(c, job, Math.floor(job * perFrame), Math.ceil(job * perFrame));
      if (!Number.isFinite(gen)) continue;
      const off = (len - target) / target;
      const padding = (gen - job) / fps;
      t[len] =
        (LENGTH_COST.wastedSecond * (gen - len)) / fps +
        LENGTH_COST.padding * padding +
        LENGTH_COST.offTarget * off * off;
    }
    return t;
  };
  // Index: 2·(handle before) + (handle after).
  return [make(0, 0), make(0, handle), make(handle, 0), make(handle, handle)];
}

/**
 * The cheapest chain of boundaries from frame 0 to the last frame, or null when none exists.
 * `frames` are the candidate boundaries, sorted, starting at 0 and ending at the song's frames.
 */
function cheapestCuts(
  frames: Int32Array,
  pointCost: Float64Array,
  hard: Uint8Array | null,
  tables: LengthTables,
  limits: Limits,
): number[] | null {
  const m = frames.length;
  const best = new Float64Array(m).fill(Number.POSITIVE_INFINITY);
  const prev = new Int32Array(m).fill(-1);
  best[0] = 0;
  let lo = 0;
  for (let j = 1; j < m; j++) {
    const fj = frames[j]!;
    const last = j === m - 1;
    const after = last || (hard !== null && hard[fj] === 1) ? 0 : 1;
    while (frames[lo]! < fj - limits.maxLen) lo++;
    let bestCost = Number.POSITIVE_INFINITY;
    let bestI = -1;
    for (let i = lo; i < j; i++) {
      const fi = frames[i]!;
      const len = fj - fi;
      if (len < limits.minLen) break;
      const bi = best[i]!;
      if (bi === Number.POSITIVE_INFINITY) continue;
      const before = i === 0 || (hard !== null && hard[fi] === 1) ? 0 : 2;
      const c = bi + tables[before + after]![len]!;
      if (c < bestCost) {
        bestCost = c;
        bestI = i;
      }
    }
    if (bestI >= 0) {
      best[j] = bestCost + (last ? 0 : pointCost[fj]!);
      prev[j] = bestI;
    }
  }
  if (best[m - 1] === Number.POSITIVE_INFINITY) return null;
  const path: number[] = [];
  for (let k = m - 1; k >= 0; k = prev[k]!) {
    path.push(frames[k]!);
    if (k === 0) break;
  }
  return path.reverse();
}

function overlap(spans: readonly Span[], start: number, end: number): number {
  let total = 0;
  for (const s of spans) {
    if (s.start >= end) break;
    if (s.end > start) total += Math.min(s.end, end) - Math.max(s.start, start);
  }
  return total;
}

function sectionOf(analysis: Analysis, start: number, end: number): string | undefined {
  const named: { start: number; end: number; name: string }[] = [
    ...(analysis.lyrics?.sections ?? []).map((s) => ({ start: s.start, end: s.end, name: s.name })),
  ];
  if (named.length === 0)
    for (const l of analysis.lyrics?.lines ?? [])
      if (l.section) named.push({ start: l.start, end: l.end, name: l.section });
  let bestName: string | undefined;
  let bestOverlap = 0;
  for (const s of named) {
    const o = Math.min(s.end, end) - Math.max(s.start, start);
    if (o > bestOverlap) {
      bestOverlap = o;
      bestName = s.name;
    }
  }
  return bestName;
}

/** Cuts a song into segments a clip provider can generate. Pure: the same inputs give the same plan. */
export function planSong(analysis: Analysis, constraints: ClipConstraints, options: PlanOptions): Plan {
  const rate = constraints.fps;
  const duration = analysis.durationSamples;
  if (!Number.isInteger(duration) || duration < 0)
    fail(`durationSamples must be a whole number, got ${duration}`);
  const minS = positiveSeconds("minSeconds", options.minSeconds, PLAN_DEFAULTS.minSeconds);
  const maxS = positiveSeconds("maxSeconds", options.maxSeconds, Math.max(PLAN_DEFAULTS.maxSeconds, minS));
  if (minS > maxS) fail(`minSeconds (${minS}) is more than maxSeconds (${maxS})`);
  const targetS = positiveSeconds("targetSeconds", options.targetSeconds, (minS + maxS) / 2);
  const transition =
    options.transitionFrames ?? samplesToFrames(secondsToSamples(PLAN_DEFAULTS.transitionSeconds), rate);
  if (!Number.isInteger(transition) || transition < 0)
    fail(`transitionFrames must be a whole number of frames, got ${transition}`);
  const handle = Math.ceil(transition / 2);

  const songFrames = samplesToFrames(duration, rate);
  // The shortest segment the provider can make on its own (no handles): what "one clip" means.
  let providerMin = 1;
  while (providerMin <= constraints.maxFrames && !providerAllows(constraints, providerMin, 0, 0))
    providerMin++;
  if (providerMin > constraints.maxFrames) fail("the provider's constraints allow no segment length at all");
  // The longest a segment between two crossfades may be: the user's maximum is clamped to it.
  let providerMax = constraints.maxFrames;
  while (providerMax > 0 && !providerAllows(constraints, providerMax, handle, handle)) providerMax--;
  if (providerMax < 1) fail(`the provider cannot make a segment with ${handle}-frame handles on both sides`);

  const warnings: string[] = [];
  const maxLen = Math.max(
    1,
    Math.min(samplesToFrames(secondsToSamples(maxS), rate), providerMax, songFrames),
  );
  // A segment is at least one handle long, so a neighbour's handle never reaches past the song's ends.
  const shortest = Math.max(1, handle);
  let minLen = Math.max(shortest, samplesToFrames(secondsToSamples(minS), rate));
  if (minLen > maxLen && songFrames > maxLen) {
    warnings.push(`minSeconds ${minS} s is more than the provider allows: segments are shorter`);
    minLen = maxLen;
  }
  const userLimits: Limits = { minLen, maxLen };
  const target = Math.max(1, samplesToFrames(secondsToSamples(targetS), rate));

  const sung = sungSpans(analysis);
  const costs = cutCosts({
    analysis,
    sung,
    rate,
    frames: songFrames,
    handleSamples: framesToSamples(handle, rate),
  });
  const hard = options.hardCutOnDownbeats ? costs.onDownbeat : null;

  let cuts: number[] | null = null;
  if (songFrames < providerMin)
    throw new UserInputError(
      `song is shorter than one clip (${seconds(duration)} < ${seconds(framesToSamples(providerMin, rate))})`,
    );
  if (songFrames < userLimits.minLen && providerAllows(constraints, songFrames, 0, 0)) {
    warnings.push(`the song (${seconds(duration)}) is shorter than one ${minS} s segment: planned as one`);
    cuts = [0, songFrames];
  } else {
    const relaxed: Limits = { minLen: Math.min(shortest, userLimits.maxLen), maxLen: userLimits.maxLen };
    const legal = [0];
    for (let f = 1; f < songFrames; f++) if (costs.inWord[f] === 0) legal.push(f);
    legal.push(songFrames);
    const legalFrames = Int32Array.from(legal);
    // Every boundary, words included: only tried when no plan exists otherwise.
    const attempts: { frames: Int32Array | null; limits: Limits; warn?: string }[] = [
      { frames: legalFrames, limits: userLimits },
      {
        frames: legalFrames,
        limits: relaxed,
        warn: `no plan keeps every segment at least ${minS} s without cutting inside a word: some segments are shorter`,
      },
      { frames: null, limits: userLimits },
      {
        frames: null,
        limits: relaxed,
        warn: `no plan keeps every segment at least ${minS} s: some segments are shorter`,
      },
    ];
    for (const attempt of attempts) {
      const tables = lengthTables(constraints, attempt.limits, handle, target);
      const frames = attempt.frames ?? Int32Array.from({ length: songFrames + 1 }, (_, f) => f);
      cuts = cheapestCuts(frames, costs.cost, hard, tables, attempt.limits);
      if (cuts) {
        if (attempt.warn) warnings.push(attempt.warn);
        break;
      }
    }
    if (!cuts)
      fail(
        `no segment lengths between ${minS} s and ${maxS} s fit the provider's frame limits`,
        "widen minSeconds/maxSeconds or choose another provider",
      );
  }

  const segments: Segment[] = [];
  const instrumentalBelow = secondsToSamples(PLAN_DEFAULTS.instrumentalBelowSeconds);
  for (let k = 0; k + 1 < cuts.length; k++) {
    const a = cuts[k]!;
    const b = cuts[k + 1]!;
    const start = framesToSamples(a, rate);
    const end = framesToSamples(b, rate);
    const handleBefore = k === 0 || hard?.[a] === 1 ? 0 : handle;
    const handleAfter = k + 2 === cuts.length || hard?.[b] === 1 ? 0 : handle;
    const frames = b - a;
    const section = sectionOf(analysis, start, end);
    segments.push({
      index: k,
      start,
      end,
      frames,
      kind: overlap(sung.merged, start, end) < instrumentalBelow ? "instrumental" : "vocal",
      handleBefore,
      handleAfter,
      generateFrames: fitFrames(
        constraints.frameRule,
        Math.max(frames + handleBefore + handleAfter, constraints.minFrames),
      ),
      ...(section === undefined ? {} : { section }),
    });
  }

  const cutSamples = segments.slice(1).map((s) => s.start);
  for (const cut of cutSamples) inWordWarning(sung, cut, maxS, warnings);
  const generated = segments.reduce((n, s) => n + s.generateFrames, 0);
  const used = framesUsed(segments, transition);
  return {
    provider: options.provider,
    fps: rate,
    durationSamples: duration,
    segments,
    cuts: cutSamples,
    wasteRatio: used > 0 ? generated / used : 1,
    warnings,
  };
}

/**
 * Frames of generated video that appear in the finished video: every segment's own frames, plus at
 * each cut with handles the `transitionFrames` of its crossfade. The render centres a crossfade of
 * that length on the cut (src/assemble/timeline.ts: ⌊T/2⌋ frames of the incoming clip's head handle
 * before the cut, the rest of the outgoing clip's tail handle after it), and each frame of it shows
 * one frame of each clip, so those handle frames are seen. Handles are ⌈T/2⌉ a side, so an odd T
 * leaves one generated handle frame per cut unseen; a hard cut has no handles and shows none.
 */
export function framesUsed(segments: readonly Segment[], transitionFrames: number): number {
  let used = 0;
  segments.forEach((s, k) => {
    used += s.frames;
    const prev = segments[k - 1];
    if (prev) used += Math.min(transitionFrames, prev.handleAfter + s.handleBefore);
  });
  return used;
}

function inWordWarning(sung: SungSpans, cut: number, maxS: number, warnings: string[]): void {
  const span = spanAt(sung.spans, cut);
  if (!span) return;
  const what = span.text ? `the sung ${sung.source === "words" ? "word" : "line"} "${span.text}"` : "singing";
  warnings.push(
    `cut at ${formatTime(cut)} falls inside ${what} (${formatTime(span.start)}–${formatTime(span.end)}): ` +
      `no plan with segments under ${maxS} s avoids it`,
  );
}
