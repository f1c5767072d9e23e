// Finding how far a take's own audio is shifted against the master, by FFT cross-correlation.
import FFT from "fft.js";

export interface Correlation {
  /** Lag in samples of the input rate, sub-sample: positive = the take's content starts late. */
  readonly lag: number;
  /** Normalised correlation at the peak, 0…1: how sure the match is. */
  readonly confidence: number;
}

function nextPow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

function centred(x: Float32Array): Float64Array {
  let mean = 0;
  for (let i = 0; i < x.length; i++) mean += x[i]!;
  mean /= x.length || 1;
  const y = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) y[i] = x[i]! - mean;
  return y;
}

/**
 * Where `take` sits inside `master`, which starts `lead` samples before the take's nominal start.
 * Searches lags in [−maxLag, maxLag] (clipped to what `master` covers). Loudness does not matter:
 * the score is normalised by the energy of both signals over the overlap.
 * Returns null when either signal is silent.
 */
export function crossCorrelate(
  take: Float32Array,
  master: Float32Array,
  lead: number,
  maxLag: number,
): Correlation | null {
  if (take.length === 0 || master.length === 0) return null;
  const a = centred(take);
  const b = centred(master);
  const size = nextPow2(a.length + b.length);
  const fft = new FFT(size);
  const spectrumOf = (x: Float64Array) => {
    const input = new Array<number>(size).fill(0);
    for (let i = 0; i < x.length; i++) input[i] = x[i]!;
    const out = fft.createComplexArray() as number[];
    fft.realTransform(out, input);
    fft.completeSpectrum(out);
    return out;
  };
  const fa = spectrumOf(a);
  const fb = spectrumOf(b);
  // conj(A)·B: its inverse holds c[k] = Σ a[t]·b[t+k] for k ≥ 0 without wrap-around.
  const prod = fft.createComplexArray() as number[];
  for (let i = 0; i < size; i++) {
    const ar = fa[2 * i]!;
    const ai = fa[2 * i + 1]!;
    const br = fb[2 * i]!;
    const bi = fb[2 * i + 1]!;
    prod[2 * i] = ar * br + ai * bi;
    prod[2 * i + 1] = ar * bi - ai * br;
  }
  const corr = fft.createComplexArray() as number[];
  fft.inverseTransform(corr, prod);

  let takeEnergy = 0;
  for (let i = 0; i < a.length; i++) takeEnergy += a[i]! * a[i]!;
  const prefix = new Float64Array(b.length + 1);
  for (let i = 0; i < b.length; i++) prefix[i + 1] = prefix[i]! + b[i]! * b[i]!;
  if (takeEnergy <= 0 || prefix[b.length]! <= 0) return null;

  // lag L means take[t] ≈ master[lead + t − L], i.e. k = lead − L.
  const kMin = Math.max(0, lead - maxLag);
  const kMax = Math.min(b.length - 1, lead + maxLag);
  const score = (k: number) => {
    const end = Math.min(b.length, k + a.length);
    const energy = prefix[end]! - prefix[k]!;
    if (energy <= 0) return 0;
    return corr[2 * k]! / Math.sqrt(takeEnergy * energy);
  };
  let best = kMin;
  let bestScore = Number.NEGATIVE_INFINITY;
  for (let k = kMin; k <= kMax; k++) {
    const s = score(k);
    if (s > bestScore) {
      bestScore = s;
      best = k;
    }
  }
  // Parabolic interpolation around the peak for a sub-sample lag.
  let delta = 0;
  if (best > kMin && best < kMax) {
    const l = score(best - 1);
    const r = score(best + 1);
    const denom = l - 2 * bestScore + r;
    if (denom < 0) delta = Math.max(-0.5, Math.min(0.5, (0.5 * (l - r)) / denom));
  }
  return { lag: lead - (best + delta), confidence: Math.max(0, Math.min(1, bestScore)) };
}
