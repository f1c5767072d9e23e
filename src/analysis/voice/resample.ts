// 48 kHz → 16 kHz for the voice model, in-process: a windowed-sinc low-pass, then keep every third sample.

const TAPS = 31;
const HALF = (TAPS - 1) / 2;

/** Low-pass at 7 kHz (below the 8 kHz Nyquist of the output), Hann-windowed, unity gain at DC. */
function lowPass(): Float32Array {
  const fc = 7000 / 48_000;
  const h = new Float32Array(TAPS);
  let sum = 0;
  for (let k = 0; k < TAPS; k++) {
    const n = k - HALF;
    const sinc = n === 0 ? 2 * fc : Math.sin(2 * Math.PI * fc * n) / (Math.PI * n);
    const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * k) / (TAPS - 1));
    h[k] = sinc * w;
    sum += sinc * w;
  }
  for (let k = 0; k < TAPS; k++) h[k] = (h[k] ?? 0) / sum;
  return h;
}

const FILTER = lowPass();

/** Output sample n is the filtered input around sample 3n, so times map exactly (×3). Pure. */
export function resample48kTo16k(samples: Float32Array): Float32Array {
  const n = Math.ceil(samples.length / 3);
  const out = new Float32Array(n);
  const len = samples.length;
  for (let i = 0; i < n; i++) {
    const centre = 3 * i;
    let acc = 0;
    if (centre >= HALF && centre + HALF < len) {
      const base = centre - HALF;
      for (let k = 0; k < TAPS; k++) acc += (FILTER[k] as number) * (samples[base + k] as number);
    } else {
      for (let k = 0; k < TAPS; k++) {
        const j = centre - HALF + k;
        if (j >= 0 && j < len) acc += (FILTER[k] as number) * (samples[j] as number);
      }
    }
    out[i] = acc;
  }
  return out;
}
