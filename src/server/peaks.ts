// Waveform peaks for the review page: the loudest sample of each of N equal slices of the song.

/** Peak absolute amplitude (0…1, 3 decimals) of each of `points` equal slices of `samples`. */
export function waveformPeaks(samples: Float32Array, points: number): number[] {
  const n = Math.max(1, Math.floor(points));
  const out = new Array<number>(n).fill(0);
  if (samples.length === 0) return out;
  for (let p = 0; p < n; p++) {
    // Integer slice bounds from the sample count, so the slices tile the song exactly.
    const from = Math.floor((p * samples.length) / n);
    const to = Math.max(from + 1, Math.floor(((p + 1) * samples.length) / n));
    let peak = 0;
    for (let i = from; i < to && i < samples.length; i++) {
      const v = Math.abs(samples[i]!);
      if (v > peak) peak = v;
    }
    out[p] = Math.round(Math.min(1, peak) * 1000) / 1000;
  }
  return out;
}
