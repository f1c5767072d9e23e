// Meter and downbeats from the accents on the beats: where the kick and the bass land.
//
// The accent of a beat is the low-band onset strength around it. In 4/4 that accent pattern
// repeats every 4 beats (and 2), in 3/4 every 3, so the meter is the lag (3 or 4) at which the
// accent sequence correlates best with itself; the downbeat is the bar phase with the most accent.

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

/** Index (0 … meter-1) of the first downbeat in a run of beats: the bar phase with the most accent. */
export function downbeatPhase(accents: readonly number[], meter: number): number {
  let best = 0;
  let bestMean = -Infinity;
  for (let phase = 0; phase < meter; phase++) {
    let sum = 0;
    let count = 0;
    for (let i = phase; i < accents.length; i += meter) {
      sum += accents[i]!;
      count++;
    }
    const mean = count > 0 ? sum / count : -Infinity;
    if (mean > bestMean) {
      bestMean = mean;
      best = phase;
    }
  }
  return best;
}
