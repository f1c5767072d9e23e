// Meter and downbeats from the accents on the beats: where the kick and the bass land.
//
// The accent of a beat is the low-band onset strength around it. In 4/4 that accent pattern
// repeats every 4 beats (and 2), in 3/4 every 3, so the meter is the lag (3 or 4) at which the
// accent sequence correlates best with itself; the downbeats are the bar phase with the most accent, followed beat by beat.

/** Fewer beats than this and the accent pattern is too short to tell a bar. */
const MIN_BEATS = 16;

/** Meter for all runs of beats together; null when there are too few beats to tell. */
export function detectMeter(runs: readonly (readonly number[])[]): 3 | 4 | null {
  let total = 0;
  const sums = { 3: 0, 4: 0 };
  const counts = { 3: 0, 4: 0 };
  for (const accents of runs) {
    total += accents.length;
    const mean = accents.reduce((s, a) => s + a, 0) / Math.max(1, accents.length);
    const centred = accents.map((a) => a - mean);
    for (const lag of [3, 4] as const) {
      for (let i = 0; i + lag < centred.length; i++) {
        sums[lag] += centred[i]! * centred[i + lag]!;
        counts[lag]++;
      }
    }
  }
  if (total < MIN_BEATS || counts[3] === 0 || counts[4] === 0) return null;
  return sums[3] / counts[3] > sums[4] / counts[4] ? 3 : 4;
}

/** Cost, in accent z-units, of restarting the bar count: about two bars of contrary evidence. */
const RESTART_COST = 4;

/**
 * Which beats of a run start a bar. The bar count normally just advances by one each beat; a
 * Viterbi path may restart it where the accents say so (a beat dropped or added at a tempo
 * change, a bar of 2 at a section boundary), at RESTART_COST.
 */
export function downbeatFlags(accents: readonly number[], meter: number): boolean[] {
  const n = accents.length;
  if (n === 0) return [];
  const back = new Int32Array(n * meter);
  let score = Array.from({ length: meter }, (_, s) => (s === 0 ? accents[0]! : 0));
  for (let i = 1; i < n; i++) {
    const next = new Array<number>(meter);
    let bestAny = 0;
    for (let q = 1; q < meter; q++) if (score[q]! > score[bestAny]!) bestAny = q;
    for (let s = 0; s < meter; s++) {
      const from = (s + meter - 1) % meter;
      let best = score[from]!;
      let arg = from;
      if (score[bestAny]! - RESTART_COST > best) {
        best = score[bestAny]! - RESTART_COST;
        arg = bestAny;
      }
      next[s] = best + (s === 0 ? accents[i]! : 0);
      back[i * meter + s] = arg;
    }
    score = next;
  }
  let s = 0;
  for (let q = 1; q < meter; q++) if (score[q]! > score[s]!) s = q;
  const flags = new Array<boolean>(n).fill(false);
  for (let i = n - 1; i >= 0; i--) {
    flags[i] = s === 0;
    if (i > 0) s = back[i * meter + s]!;
  }
  return flags;
}

/**
 * How much the bass and chords change at each beat: the distance between the average spectrum
 * (30 Hz – 1 kHz, each frame's overall level removed) of the beat before and the beat after.
 * Harmony mostly changes on a bar line, and this is what marks beat 1 apart from beat 3 when the
 * kick plays both.
 */
export function harmonicChange(tonal: Float32Array, bands: number, beats: readonly number[]): number[] {
  const frames = tonal.length / bands;
  const mean = (from: number, to: number): Float64Array => {
    const v = new Float64Array(bands);
    const a = Math.max(0, Math.round(from));
    const b = Math.min(frames, Math.max(a + 1, Math.round(to)));
    for (let f = a; f < b; f++) {
      let level = 0;
      for (let k = 0; k < bands; k++) level += tonal[f * bands + k]!;
      level /= bands;
      for (let k = 0; k < bands; k++) v[k]! += tonal[f * bands + k]! - level;
    }
    for (let k = 0; k < bands; k++) v[k]! /= Math.max(1, b - a);
    return v;
  };
  if (beats.length < 2) return beats.map(() => 0);
  const segments: Float64Array[] = [];
  for (let i = 0; i < beats.length; i++) {
    const end = beats[i + 1] ?? beats[i]! + (beats[i]! - beats[i - 1]!);
    segments.push(mean(beats[i]!, end));
  }
  return segments.map((seg, i) => {
    if (i === 0) return 0;
    const before = segments[i - 1]!;
    let d = 0;
    for (let k = 0; k < bands; k++) d += (seg[k]! - before[k]!) ** 2;
    return Math.sqrt(d);
  });
}

/** Sum of z-scores: features on different scales counted equally. */
export function combineAccents(...features: readonly (readonly number[])[]): number[] {
  const n = features[0]?.length ?? 0;
  const out = new Array<number>(n).fill(0);
  for (const f of features) {
    const mean = f.reduce((s, x) => s + x, 0) / Math.max(1, n);
    const sd = Math.sqrt(f.reduce((s, x) => s + (x - mean) ** 2, 0) / Math.max(1, n));
    if (sd === 0) continue;
    for (let i = 0; i < n; i++) out[i]! += (f[i]! - mean) / sd;
  }
  return out;
}
