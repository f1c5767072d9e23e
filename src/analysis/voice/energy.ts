// The fallback voice estimate when the Silero model cannot run: loud, tonal frames in the voice band.
//
// Without a model this cannot tell a voice from a synth lead; it marks frames whose band energy
// (about 250 Hz–4 kHz) is well above the song's quiet floor and whose zero-crossing rate is low
// enough to be pitched rather than noise (hats, breath). It is reported to the user as an estimate.

/** Per-frame scores in [0, 1] at the given hop (samples at `sampleRate`). Pure. */
export function energyProbabilities(
  samples: Float32Array,
  hopSamples: number,
  sampleRate = 48_000,
): Float32Array {
  const frames = Math.ceil(samples.length / hopSamples);
  // One-pole high-pass at 250 Hz then low-pass at 4 kHz: cheap, and enough to ignore kick and hats.
  const aHp = Math.exp((-2 * Math.PI * 250) / sampleRate);
  const aLp = Math.exp((-2 * Math.PI * 4000) / sampleRate);
  let hpPrevIn = 0;
  let hpPrevOut = 0;
  let lp = 0;
  let prevSign = 0;
  const bandDb = new Float64Array(frames);
  const zcr = new Float64Array(frames);
  for (let f = 0; f < frames; f++) {
    const start = f * hopSamples;
    const end = Math.min(samples.length, start + hopSamples);
    let power = 0;
    let crossings = 0;
    for (let i = start; i < end; i++) {
      const x = samples[i] ?? 0;
      const hp = aHp * (hpPrevOut + x - hpPrevIn);
      hpPrevIn = x;
      hpPrevOut = hp;
      lp = (1 - aLp) * hp + aLp * lp;
      power += lp * lp;
      const sign = lp > 0 ? 1 : lp < 0 ? -1 : prevSign;
      if (sign !== prevSign && prevSign !== 0) crossings++;
      prevSign = sign;
    }
    const n = Math.max(1, end - start);
    bandDb[f] = 10 * Math.log10(power / n + 1e-12);
    zcr[f] = (crossings * sampleRate) / (2 * n);
  }
  const sorted = Array.from(bandDb).sort((a, b) => a - b);
  const floor = sorted[Math.floor(sorted.length * 0.1)] ?? -120;
  const top = sorted[Math.floor(sorted.length * 0.95)] ?? 0;
  const range = Math.max(top - floor, 6);
  const out = new Float32Array(frames);
  for (let f = 0; f < frames; f++) {
    const db = bandDb[f] ?? -120;
    if (db < -60) continue;
    const loud = (db - floor) / range;
    // A sung vowel crosses zero a few hundred times a second; noise thousands.
    const pitched = 1 - Math.min(1, Math.max(0, ((zcr[f] ?? 0) - 1500) / 2000));
    out[f] = Math.max(0, Math.min(1, loud * pitched));
  }
  return out;
}
