// Local tempo: a tempogram of the onset envelope and the smoothest likely tempo path through it.
//
// Each few-second window gets a comb score per beat period (autocorrelation at the period and
// twice it), weighted by a log-Gaussian prior around 120 BPM. A Viterbi path through the windows
// lets the tempo drift or step (a song speeding up, a new section) but makes an octave jump cost
// several windows of evidence, so a bar of only hi-hats does not double the tempo.

export interface TempoOptions {
  readonly minBpm: number;
  readonly maxBpm: number;
}

export interface TempoTrack {
  /** Beat period in frames at each frame (fractional). */
  readonly periodAt: Float32Array;
  /**
   * The shortest and longest period of the path within half a window of each frame. A window
   * straddling a tempo step cannot say on which beat the step falls; the beat tracker may use any
   * period in this range, and the onsets decide.
   */
  readonly periodLo: Float32Array;
  readonly periodHi: Float32Array;
  /** For each window: its centre frame and how clearly periodic it is (0 none … 1 a metronome). */
  readonly windows: readonly { readonly center: number; readonly clarity: number }[];
}

const WINDOW_SECONDS = 6;
const HOP_SECONDS = 1;
/** Where the prior peaks and how wide it is, in octaves (as Ellis 2007 and librosa). */
const PRIOR_BPM = 120;
const PRIOR_OCTAVES = 1;
/**
 * Most songs keep one tempo, and a section read at exactly 2:3, 3:4, 4:3 or 3:2 of it is far more
 * often a pattern that repeats every 3 beats (or 3 half-beats) than a real change of tempo: a
 * listener who has counted a song at 180 keeps counting 180 through a passage that also fits
 * 120. So once the first path holds one tempo (within 2 %) in at least `SONG_PRIOR_SHARE` of the
 * windows with a pulse, a second path is found with those exact ratios of its period costing
 * `CONFUSION_COST` per window: about what the prior charges an octave away from 120 BPM, and more
 * than the 0.1–0.2 by which the onsets of such a passage favoured 120 over 180 in the Frets on
 * Fire recordings (docs/bench/rhythm.md), far less than the 1–3.5 by which a real step (100 →
 * 140 BPM in the evaluation set) favours its new tempo. Octaves are left to the prior and the
 * halfway check; other ratios (100 → 130 BPM) are left alone.
 */
const SONG_PRIOR_SHARE = 0.4;
const SONG_PRIOR_TOLERANCE = 0.02;
const METRICAL_RATIOS = [2 / 3, 3 / 4, 4 / 3, 3 / 2];
/** How near a ratio a lag counts as it: 1.5 %, or half a lag where lags are coarser than that. */
const RATIO_TOLERANCE = 0.015;
const CONFUSION_COST = 0.5;
/** Windows clearer than this have a pulse worth counting in the song's tempo (noise scores ~0.1). */
const PULSE_CLARITY = 0.15;
/** Cost of a tempo change per octave, in log-evidence units. */
const JUMP_COST = 8;
/** The largest tempo step the beat tracker is left free to place (a ratio of periods). */
const MAX_STEP = 1.5;

export function trackTempo(env: Float32Array, frameRate: number, options: TempoOptions): TempoTrack {
  const n = env.length;
  const minLag = Math.max(2, Math.floor((frameRate * 60) / options.maxBpm));
  const maxLag = Math.ceil((frameRate * 60) / options.minBpm);
  const win = Math.round(WINDOW_SECONDS * frameRate);
  const hop = Math.max(1, Math.round(HOP_SECONDS * frameRate));
  const lags = maxLag - minLag + 1;
  const prior = new Float64Array(lags);
  for (let l = minLag; l <= maxLag; l++) {
    const bpm = (frameRate * 60) / l;
    prior[l - minLag] = -0.5 * (Math.log2(bpm / PRIOR_BPM) / PRIOR_OCTAVES) ** 2;
  }

  const centers: number[] = [];
  for (let c = 0; c < n; c += hop) centers.push(c);
  if (centers.length === 0) {
    const none = new Float32Array(0);
    return { periodAt: none, periodLo: none, periodHi: none, windows: [] };
  }
  const combs: Float64Array[] = [];
  const clarity: number[] = [];
  const acf = new Float64Array(2 * maxLag + 1);
  const neededLags = new Set<number>([0]);
  for (let l = minLag; l <= maxLag; l++) neededLags.add(l).add(2 * l);
  const x = new Float64Array(win);
  for (const c of centers) {
    const start = Math.max(0, c - Math.floor(win / 2));
    const end = Math.min(n, c + Math.ceil(win / 2));
    const len = end - start;
    let mean = 0;
    for (let i = start; i < end; i++) mean += env[i]!;
    mean /= Math.max(1, len);
    for (let i = 0; i < len; i++) x[i] = env[start + i]! - mean;
    // Only the lags the comb reads: the candidate periods and their doubles.
    for (const l of neededLags) {
      let s = 0;
      for (let i = 0; i + l < len; i++) s += x[i]! * x[i + l]!;
      acf[l] = s;
    }
    const comb = new Float64Array(lags);
    let best = 0;
    if (acf[0]! > 1e-9) {
      for (let l = minLag; l <= maxLag; l++) {
        // The comb at a period and its double: a true beat period repeats at both.
        const v = (acf[l]! + 0.5 * acf[2 * l]!) / (1.5 * acf[0]!);
        comb[l - minLag] = v;
        if (v > best) best = v;
      }
    }
    combs.push(comb);
    clarity.push(best);
  }

  // A first path with the listener's generic prior, then a second with the prior moved to the
  // tempo the song itself keeps (see SONG_PRIOR_SHARE).
  const w = centers.length;
  const jump = new Float64Array(lags * lags);
  for (let a = 0; a < lags; a++) {
    for (let b = 0; b < lags; b++)
      jump[a * lags + b] = JUMP_COST * Math.abs(Math.log2((a + minLag) / (b + minLag)));
  }
  let path = viterbi(combs, prior, jump);
  const own = dominantLag(path, clarity, minLag);
  if (own !== null) {
    const songPrior = Float64Array.from(prior);
    for (let l = minLag; l <= maxLag; l++) {
      const confused = METRICAL_RATIOS.some(
        (r) => Math.abs(l - r * own) <= Math.max(0.5, RATIO_TOLERANCE * r * own),
      );
      if (confused) songPrior[l - minLag]! -= CONFUSION_COST;
    }
    path = viterbi(combs, songPrior, jump);
  }

  const windowPeriod = new Float64Array(w);
  for (let j = 0; j < w; j++) windowPeriod[j] = refine(combs[j]!, path[j]!) + minLag;
  const reach = Math.round(WINDOW_SECONDS / 2 / HOP_SECONDS);
  const windowLo = new Float64Array(w);
  const windowHi = new Float64Array(w);
  for (let j = 0; j < w; j++) {
    let lo = windowPeriod[j]!;
    let hi = lo;
    for (let q = Math.max(0, j - reach); q <= Math.min(w - 1, j + reach); q++) {
      lo = Math.min(lo, windowPeriod[q]!);
      hi = Math.max(hi, windowPeriod[q]!);
    }
    // Wider than a plausible step (an octave slip of the path): keep the window's own period.
    if (hi / lo > MAX_STEP) lo = hi = windowPeriod[j]!;
    windowLo[j] = lo;
    windowHi[j] = hi;
  }
  const periodAt = new Float32Array(n);
  const periodLo = new Float32Array(n);
  const periodHi = new Float32Array(n);
  let j = 0;
  for (let t = 0; t < n; t++) {
    while (j + 1 < w && Math.abs(centers[j + 1]! - t) <= Math.abs(centers[j]! - t)) j++;
    periodAt[t] = windowPeriod[j]!;
    periodLo[t] = windowLo[j]!;
    periodHi[t] = windowHi[j]!;
  }
  return {
    periodAt,
    periodLo,
    periodHi,
    windows: centers.map((center, i) => ({ center, clarity: clarity[i]! })),
  };
}

/** Fractional peak position by a parabola through the peak and its neighbours. */
function refine(values: Float64Array, k: number): number {
  if (k <= 0 || k >= values.length - 1) return k;
  const a = values[k - 1]!;
  const b = values[k]!;
  const c = values[k + 1]!;
  const d = a - 2 * b + c;
  if (d >= 0) return k;
  const delta = (0.5 * (a - c)) / d;
  return Math.abs(delta) < 1 ? k + delta : k;
}

/** The best path of lags (indices into each comb) through the windows. */
function viterbi(combs: readonly Float64Array[], prior: Float64Array, jump: Float64Array): Int32Array {
  const w = combs.length;
  const lags = prior.length;
  const score = new Float64Array(lags);
  const next = new Float64Array(lags);
  const back = new Int32Array(w * lags);
  const evidence = (j: number, k: number) => Math.log(Math.max(0, combs[j]![k]!) + 0.02) + prior[k]!;
  for (let k = 0; k < lags; k++) score[k] = evidence(0, k);
  for (let j = 1; j < w; j++) {
    for (let k = 0; k < lags; k++) {
      let best = -Infinity;
      let arg = k;
      for (let q = 0; q < lags; q++) {
        const s = score[q]! - jump[k * lags + q]!;
        if (s > best) {
          best = s;
          arg = q;
        }
      }
      next[k] = best + evidence(j, k);
      back[j * lags + k] = arg;
    }
    score.set(next);
  }
  const path = new Int32Array(w);
  let last = 0;
  for (let k = 1; k < lags; k++) if (score[k]! > score[last]!) last = k;
  path[w - 1] = last;
  for (let j = w - 1; j > 0; j--) path[j - 1] = back[j * lags + path[j]!]!;
  return path;
}

/**
 * The lag the path keeps in at least `SONG_PRIOR_SHARE` of the windows with a pulse (within
 * `SONG_PRIOR_TOLERANCE`), or null when the song keeps no one tempo that long.
 */
function dominantLag(path: Int32Array, clarity: readonly number[], minLag: number): number | null {
  const lags: number[] = [];
  path.forEach((k, j) => {
    if (clarity[j]! >= PULSE_CLARITY) lags.push(k + minLag);
  });
  if (lags.length === 0) return null;
  let best = 0;
  let arg = 0;
  for (const l of new Set(lags)) {
    const near = lags.filter((m) => Math.abs(m / l - 1) <= SONG_PRIOR_TOLERANCE).length;
    if (near > best) {
      best = near;
      arg = l;
    }
  }
  return best >= SONG_PRIOR_SHARE * lags.length ? arg : null;
}
