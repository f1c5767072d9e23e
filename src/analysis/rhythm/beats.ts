// Beat positions by dynamic programming (Ellis 2007), following a local tempo instead of one global one.
//
// Each frame's best score is its onset strength plus the best earlier beat's score, less a penalty
// that grows with the squared log-ratio of the gap to the local beat period (free within a range
// near a tempo step). The period comes from the tempo track, so the beats follow a ramp or a step;
// through a short silence the chain goes on at the period because staying on it costs nothing.

/** How strongly the gap between beats is held to the period (librosa's default tightness). */
const TIGHTNESS = 100;

/** The beat period allowed at each frame, in frames: free between lo and hi, penalised outside. */
export interface Periods {
  readonly lo: Float32Array;
  readonly hi: Float32Array;
}

/** Beat frames in [from, to), each refined to a fractional frame at its envelope peak. */
export function trackBeats(env: Float32Array, periods: Periods, from: number, to: number): number[] {
  const len = to - from;
  if (len <= 0) return [];
  const score = new Float64Array(len);
  const back = new Int32Array(len).fill(-1);
  for (let i = 0; i < len; i++) {
    const t = from + i;
    const lo = periods.lo[t]!;
    const hi = periods.hi[t]!;
    const first = Math.max(0, i - Math.round(2 * hi));
    const last = i - Math.round(lo / 2);
    let best = 0;
    let arg = -1;
    for (let p = first; p <= last; p++) {
      const gap = i - p;
      const r = gap < lo ? Math.log(gap / lo) : gap > hi ? Math.log(gap / hi) : 0;
      const s = score[p]! - TIGHTNESS * r * r;
      if (s > best) {
        best = s;
        arg = p;
      }
    }
    score[i] = env[t]! + best;
    back[i] = arg;
  }
  // The chain ends at the best-scoring frame within the last period.
  const tail = Math.max(0, len - Math.round(periods.hi[to - 1]!));
  let end = tail;
  for (let i = tail; i < len; i++) if (score[i]! > score[end]!) end = i;
  const frames: number[] = [];
  for (let i = end; i >= 0; i = back[i]!) frames.push(i + from);
  frames.reverse();
  return frames.map((t) => refinePeak(env, t));
}

function refinePeak(env: Float32Array, t: number): number {
  if (t <= 0 || t >= env.length - 1) return t;
  const a = env[t - 1]!;
  const b = env[t]!;
  const c = env[t + 1]!;
  if (b < a || b < c) return t;
  const d = a - 2 * b + c;
  return d < 0 ? t + (0.5 * (a - c)) / d : t;
}

/**
 * Drops weak beats at the ends of a run: the tracker may start a chain a little before the music
 * or carry it into a fade's last silence, and a musician would not count those.
 */
export function trimWeakEnds(beats: number[], strength: (frame: number) => number): number[] {
  if (beats.length < 3) return beats;
  const values = beats.map(strength);
  const sorted = [...values].sort((a, b) => a - b);
  const threshold = 0.2 * sorted[Math.floor(sorted.length / 2)]!;
  let first = 0;
  let last = beats.length - 1;
  while (first < last && values[first]! < threshold) first++;
  while (last > first && values[last]! < threshold) last--;
  return beats.slice(first, last + 1);
}

/** The strongest value within `radius` frames of `frame`: an onset near a beat, not only on it. */
export function peakNear(values: Float32Array, frame: number, radius: number): number {
  const c = Math.round(frame);
  let best = 0;
  for (let i = Math.max(0, c - radius); i <= Math.min(values.length - 1, c + radius); i++) {
    if (values[i]! > best) best = values[i]!;
  }
  return best;
}
