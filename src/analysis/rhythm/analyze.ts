// Tempo, beats, meter and downbeats of a song, or the plain statement that it has no steady beat.
//
// onset envelope → local tempo and pulse clarity (tempogram + Viterbi) → runs of sound with a
// clear pulse, split at long quiet or beatless stretches → beats by dynamic programming per run
// (checked against half time) → meter and downbeats from bass accents and harmonic change.
// Pure: samples in, positions out (48 kHz samples), no disk, process or clock.

import { throwIfAborted, UserInputError } from "../../errors/index.js";
import { SAMPLE_RATE } from "../../time/index.js";
import { type Periods, peakNear, trackBeats, trimWeakEnds } from "./beats.js";
import { combineAccents, detectMeter, downbeatFlags, harmonicChange } from "./meter.js";
import { onsetFrames } from "./onset.js";
import { correctPhase } from "./phase.js";
import { type TempoTrack, trackTempo } from "./tempo.js";

export interface Rhythm {
  /** Beats per minute, or null where the song has no steady beat. */
  tempoBpm: number | null;
  /** Beat positions, 48 kHz samples, ascending. */
  beats: number[];
  /** The beats that start a bar. */
  downbeats: number[];
  meter: 3 | 4 | null;
  /** True when most of the song that is not silent has a beat a musician could tap to. */
  steady: boolean;
  /** The onset strength the beats were found in, for display and for cutting on onsets. */
  onsetEnvelope?: { hopSamples: number; offsetSamples: number; values: Float32Array };
  warnings: string[];
}

export interface RhythmOptions {
  signal?: AbortSignal;
}

export const NO_STEADY_BEAT = "no steady beat: cutting on pauses";

const MIN_BPM = 60;
const MAX_BPM = 200;
/** A quiet stretch at least this long is a break: the beat is not carried through it. */
const LONG_BREAK_SECONDS = 5;
/** A window whose comb score is below this has no beat worth tapping (a metronome scores ~0.9, noise ~0.1). */
const MIN_CLARITY = 0.3;
/**
 * Dense real mixes (distorted guitars over double-kick drums) score 0.15–0.3 while their tempo holds
 * to the BPM for minutes; a voice alone or rubato reaches that score only here and there, at a
 * tempo that wanders. So a window this clear counts too when the tempo path around it is steady:
 * within `STEADY_TOLERANCE` of its own in `STEADY_SHARE` of the windows `STEADY_REACH` either side.
 * Chosen on the Frets on Fire recordings and the evaluation set's a cappella song (docs/bench/rhythm.md).
 */
const MIN_STEADY_CLARITY = 0.15;
const STEADY_REACH = 6;
const STEADY_TOLERANCE = 0.02;
const STEADY_SHARE = 0.9;
/**
 * Halfway onsets this strong relative to the beats mean the beat is twice as fast. On synthesised
 * grooves eighth-note hi-hats score at most 0.03 and a backbeat counted in half time 0.9–1.0.
 */
const HALFWAY_RATIO = 0.5;
/** Runs of music shorter than this are too short to establish a beat. */
const MIN_RUN_SECONDS = 4;

export function analyzeRhythm(
  samples: Float32Array,
  sampleRate: number,
  options: RhythmOptions = {},
): Rhythm {
  if (!(sampleRate > 0) || !Number.isFinite(sampleRate)) {
    throw new UserInputError(`rhythm: sample rate must be a positive number, got ${sampleRate}`);
  }
  throwIfAborted(options.signal);
  const onsets = onsetFrames(samples, sampleRate);
  throwIfAborted(options.signal);
  const fr = onsets.frameRate;
  const env = normalise(aboveLocalMean(onsets.flux, Math.round(onsets.frameRate / 2)));
  const toMaster = (frame: number) =>
    Math.round(((onsets.offsetSamples + frame * onsets.hopSamples) * SAMPLE_RATE) / sampleRate);
  const onsetEnvelope = {
    hopSamples: (onsets.hopSamples * SAMPLE_RATE) / sampleRate,
    offsetSamples: toMaster(0),
    values: env,
  };
  const none = (warnings: string[]): Rhythm => ({
    tempoBpm: null,
    beats: [],
    downbeats: [],
    meter: null,
    steady: false,
    onsetEnvelope,
    warnings,
  });

  const loud = loudFrames(env, fr);
  const activeFrames = loud.reduce((s, v) => s + v, 0);
  if (activeFrames === 0) return none([NO_STEADY_BEAT]);

  const tempo = trackTempo(env, fr, { minBpm: MIN_BPM, maxBpm: MAX_BPM });
  throwIfAborted(options.signal);

  // Beats go where there is sound with a clear pulse; gaps in either shorter than a long break
  // are bridged, so the count goes on through a one-bar stop or a drum fill.
  const clarity = clarityAt(steadyClarity(tempo), env.length);
  const runs = runsWhere(
    env.length,
    (t) => loud[t] === 1 && clarity[t]! >= MIN_CLARITY,
    LONG_BREAK_SECONDS * fr,
  );
  const beatRuns: number[][] = [];
  let rhythmicFrames = 0;
  for (const run of runs) {
    if (run.end - run.start < MIN_RUN_SECONDS * fr) continue;
    const beats = trimWeakEnds(
      correctPhase(beatsInRun(env, { lo: tempo.periodLo, hi: tempo.periodHi }, run.start, run.end, fr), {
        // The sub-bass, not the whole low band: a man's sung words reach down to 100 Hz.
        low: onsets.subBass,
        tonal: onsets.tonal,
        tonalBands: onsets.tonalBands,
      }),
      (f) => peakNear(env, f, 2),
    );
    if (beats.length >= 2) {
      beatRuns.push(beats);
      for (let t = run.start; t < run.end; t++) rhythmicFrames += loud[t]!;
    }
  }
  throwIfAborted(options.signal);
  const steady = rhythmicFrames >= 0.5 * activeFrames;
  if (beatRuns.length === 0) return none([NO_STEADY_BEAT]);

  const accents = beatRuns.map((run) =>
    combineAccents(
      run.map((f) => peakNear(onsets.low, f, 2)),
      harmonicChange(onsets.tonal, onsets.tonalBands, run),
    ),
  );
  const meter = detectMeter(accents);
  const beats: number[] = [];
  const downbeats: number[] = [];
  beatRuns.forEach((run, r) => {
    const flags = meter === null ? [] : downbeatFlags(accents[r]!, meter);
    run.forEach((f, i) => {
      const at = toMaster(f);
      beats.push(at);
      if (flags[i]) downbeats.push(at);
    });
  });

  const warnings: string[] = [];
  if (!steady) warnings.push(NO_STEADY_BEAT);
  const bpm = tempoOf(beatRuns, fr);
  const range = tempoRange(beatRuns, fr);
  if (steady && range && range[1] / range[0] > 1.08) {
    warnings.push(`tempo changes: ${Math.round(range[0])}–${Math.round(range[1])} BPM`);
  }
  return {
    tempoBpm: steady ? bpm : null,
    beats,
    downbeats: steady && meter !== null ? downbeats : [],
    meter: steady ? meter : null,
    steady,
    onsetEnvelope,
    warnings,
  };
}

/**
 * Beats of one run, at the faster of a tempo and its double when the music says so.
 *
 * The tempogram prefers the slower of two octaves when alternate beats differ (kick, then a louder
 * snare): the pattern then repeats best every two beats. A musician counts the faster pulse when the
 * halfway points between the slow beats carry onsets nearly as strong as the beats (a backbeat),
 * not when only hi-hats sit there. A run may hold a section read at half the tempo of the rest
 * (a half-time reading of a few bars of a fast song), so this is decided per stretch of one tempo.
 */
export function beatsInRun(
  env: Float32Array,
  periods: Periods,
  start: number,
  end: number,
  fr: number,
): number[] {
  const beats = trackBeats(env, periods, start, end);
  if (beats.length < 4) return beats;
  const stretches = oneTempoStretches(beats);
  let lo = periods.lo;
  let hi = periods.hi;
  stretches.forEach(([i, j], s) => {
    if (j - i < 4) return;
    const period = (beats[j - 1]! - beats[i]!) / (j - 1 - i);
    if ((60 * fr) / period > MAX_BPM / 2) return;
    let on = 0;
    let mid = 0;
    for (let k = i; k + 1 < j; k++) {
      on += peakNear(env, beats[k]!, 2);
      mid += peakNear(env, (beats[k]! + beats[k + 1]!) / 2, 2);
    }
    if (mid < HALFWAY_RATIO * on) return;
    if (lo === periods.lo) {
      lo = Float32Array.from(periods.lo);
      hi = Float32Array.from(periods.hi);
    }
    // The whole run when it is one stretch; else from this stretch's first beat to the next's.
    const from = s === 0 ? start : Math.round(beats[i]!);
    const to = s === stretches.length - 1 ? end : Math.round(beats[j]!);
    for (let t = from; t < to; t++) {
      lo[t] = periods.lo[t]! / 2;
      hi[t] = periods.hi[t]! / 2;
    }
  });
  return lo === periods.lo ? beats : trackBeats(env, { lo, hi }, start, end);
}

/** An octave: stretches split where the beat interval halves or doubles (ratios beyond these). */
const STRETCH_RATIO_LOW = 0.7;
const STRETCH_RATIO_HIGH = 1.4;
/** How many intervals in a row must be off the stretch's own before a new stretch begins. */
const STRETCH_CONFIRM = 4;

/**
 * Index ranges [i, j) of beats at one tempo: a new stretch begins where `STRETCH_CONFIRM`
 * intervals in a row differ from the median of the stretch's last eight by an octave-sized ratio,
 * so a single slipped beat or a ramp does not split a run, and a jump to half or double tempo does.
 */
function oneTempoStretches(beats: readonly number[]): [number, number][] {
  const out: [number, number][] = [];
  let first = 0;
  const ibi = (k: number) => beats[k + 1]! - beats[k]!;
  for (let k = 1; k + STRETCH_CONFIRM < beats.length; k++) {
    const recent: number[] = [];
    for (let q = Math.max(first, k - 8); q < k; q++) recent.push(ibi(q));
    if (recent.length < 2) continue;
    recent.sort((a, b) => a - b);
    const median = recent[recent.length >> 1]!;
    let off = 0;
    for (let q = k; q < k + STRETCH_CONFIRM; q++) {
      const r = ibi(q) / median;
      if (r < STRETCH_RATIO_LOW || r > STRETCH_RATIO_HIGH) off++;
    }
    if (off === STRETCH_CONFIRM) {
      out.push([first, k + 1]);
      first = k;
    }
  }
  out.push([first, beats.length]);
  return out;
}

/**
 * Flux less its one-second moving average, floored at zero. Drum hits stand far above their
 * surroundings and survive; the restless flux of steady noise (a hiss under a breakdown, a room)
 * mostly sits at its own average and is removed, so it neither looks like music nor like a beat.
 */
function aboveLocalMean(flux: Float32Array, half: number): Float32Array {
  const n = flux.length;
  const prefix = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) prefix[i + 1] = prefix[i]! + flux[i]!;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const a = Math.max(0, i - half);
    const b = Math.min(n, i + half + 1);
    out[i] = Math.max(0, flux[i]! - (prefix[b]! - prefix[a]!) / (b - a));
  }
  return out;
}

/** Flux scaled to unit spread over the frames that have sound, lightly smoothed. */
function normalise(flux: Float32Array): Float32Array {
  const n = flux.length;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = 0.5 * flux[i]! + 0.25 * (flux[i - 1] ?? flux[i]!) + 0.25 * (flux[i + 1] ?? flux[i]!);
  }
  let sum = 0;
  let sq = 0;
  let count = 0;
  for (let i = 0; i < n; i++) {
    const v = out[i]!;
    if (v > 0) {
      sum += v;
      sq += v * v;
      count++;
    }
  }
  const mean = count > 0 ? sum / count : 0;
  const std = count > 1 ? Math.sqrt(Math.max(0, sq / count - mean * mean)) : 0;
  if (std > 0) for (let i = 0; i < n; i++) out[i]! /= std;
  return out;
}

/**
 * 1 where the song has sound: the one-second average onset strength at least a tenth of its
 * typical level in the music (90th percentile), else 0.
 */
function loudFrames(env: Float32Array, fr: number): Uint8Array {
  const n = env.length;
  const half = Math.max(1, Math.round(fr / 2));
  const prefix = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) prefix[i + 1] = prefix[i]! + env[i]!;
  const local = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const a = Math.max(0, i - half);
    const b = Math.min(n, i + half + 1);
    local[i] = (prefix[b]! - prefix[a]!) / (b - a);
  }
  const typical = Float64Array.from(local).sort()[Math.floor(0.9 * (n - 1))] ?? 0;
  const out = new Uint8Array(n);
  if (typical > 0) for (let i = 0; i < n; i++) out[i] = local[i]! >= 0.1 * typical ? 1 : 0;
  return out;
}

/**
 * The windows with their clarity raised to `MIN_CLARITY` where it is at least `MIN_STEADY_CLARITY`
 * and the tempo path holds steady around them, so the beat gate lets them through.
 */
export function steadyClarity(tempo: TempoTrack): { center: number; clarity: number }[] {
  const periods = tempo.windows.map((w) => tempo.periodAt[Math.min(w.center, tempo.periodAt.length - 1)]!);
  return tempo.windows.map((w, j) => {
    if (w.clarity >= MIN_CLARITY || w.clarity < MIN_STEADY_CLARITY) return w;
    let near = 0;
    let all = 0;
    for (let q = Math.max(0, j - STEADY_REACH); q <= Math.min(periods.length - 1, j + STEADY_REACH); q++) {
      all++;
      if (Math.abs(periods[q]! / periods[j]! - 1) < STEADY_TOLERANCE) near++;
    }
    return near >= STEADY_SHARE * all ? { center: w.center, clarity: MIN_CLARITY } : w;
  });
}

/** Each frame's clarity: that of the tempogram window centred nearest to it. */
function clarityAt(windows: readonly { center: number; clarity: number }[], n: number): Float32Array {
  const out = new Float32Array(n);
  let j = 0;
  for (let t = 0; t < n && windows.length > 0; t++) {
    while (j + 1 < windows.length && Math.abs(windows[j + 1]!.center - t) <= Math.abs(windows[j]!.center - t))
      j++;
    out[t] = windows[j]!.clarity;
  }
  return out;
}

/** Stretches of frames where `ok` holds, joined across gaps shorter than `bridge` frames. */
function runsWhere(n: number, ok: (t: number) => boolean, bridge: number): { start: number; end: number }[] {
  const runs: { start: number; end: number }[] = [];
  let t = 0;
  while (t < n) {
    while (t < n && !ok(t)) t++;
    if (t >= n) break;
    const start = t;
    let end = t;
    while (t < n) {
      if (ok(t)) {
        end = ++t;
        continue;
      }
      let gap = t;
      while (gap < n && !ok(gap)) gap++;
      if (gap >= n || gap - t >= bridge) break;
      t = gap;
    }
    runs.push({ start, end });
    t = end;
  }
  return runs;
}

/** Inter-beat intervals, in frames, of every run. */
function intervals(runs: readonly (readonly number[])[]): number[] {
  const out: number[] = [];
  for (const run of runs) for (let i = 1; i < run.length; i++) out.push(run[i]! - run[i - 1]!);
  return out;
}

/** Tempo from the beats themselves: the mean interval among those near the median one. */
function tempoOf(runs: readonly (readonly number[])[], fr: number): number | null {
  const ibis = intervals(runs).sort((a, b) => a - b);
  if (ibis.length === 0) return null;
  const median = ibis[Math.floor(ibis.length / 2)]!;
  const near = ibis.filter((d) => Math.abs(d - median) <= 0.1 * median);
  const mean = near.reduce((s, d) => s + d, 0) / near.length;
  return Math.round(((60 * fr) / mean) * 10) / 10;
}

/** Slowest and fastest tempo over stretches of 8 beats, for a warning when the tempo moves. */
function tempoRange(runs: readonly (readonly number[])[], fr: number): [number, number] | null {
  const local: number[] = [];
  for (const run of runs) {
    for (let i = 8; i < run.length; i += 4) local.push((60 * fr * 8) / (run[i]! - run[i - 8]!));
  }
  if (local.length < 4) return null;
  local.sort((a, b) => a - b);
  return [local[Math.floor(local.length * 0.1)]!, local[Math.floor(local.length * 0.9)]!];
}
