// Onset envelopes: how much new sound starts in each short frame, over all bands, in the bass and in the sub-bass.
//
// Log-magnitude spectral flux from an STFT (fft.js). The audio is first decimated to about
// 12 kHz: onsets of drums and notes are plain below 6 kHz, and a quarter of the samples makes a
// 3-minute song take tens of milliseconds instead of a few hundred.
//
// The all-band flux the beat is found in is taken from the percussive part of the spectrum only
// (median-filter harmonic/percussive separation, Fitzgerald 2010): a loud voice starts a syllable,
// glides in pitch (Mandarin tones) and changes vowel off the beat, and its flux, kept whole, swamps
// the drum pulse so the tempogram no longer sees a steady beat under it. What is sustained over a
// tenth of a second in a band is harmonic and drops out; a hit spread across bands stays.

import FFT from "fft.js";

export interface OnsetFrames {
  /** Flux over every band of the percussive part of the spectrum, one value per frame. */
  readonly flux: Float32Array;
  /** Flux of the lowest bands (kick, bass): the accent used for downbeats. */
  readonly low: Float32Array;
  /**
   * Flux of the sub-bass bands only (a kick's thump, the bass's lowest notes), out of reach of a
   * sung voice: the cue that tells the beat from the "and" (phase.ts).
   */
  readonly subBass: Float32Array;
  /** Log level of the bands from about 30 Hz to 1 kHz (bass notes, chords), `tonalBands` per frame. */
  readonly tonal: Float32Array;
  readonly tonalBands: number;
  /** Input samples between frames. */
  readonly hopSamples: number;
  /** Input sample position that frame 0 stands for (an onset peaking at frame i is at offset + i·hop). */
  readonly offsetSamples: number;
  /** Frames per second. */
  readonly frameRate: number;
}

const TARGET_RATE = 12_000;
const WINDOW = 512;
const HOP = 128;
/** Upper edge of the "low" band: kick drum and bass fundamentals. */
const LOW_BAND_HZ = 160;
/**
 * The lowest fundamental a sung voice has in pop and rock (a low male voice sings down to about
 * 100 Hz; the evaluation set's espeak-ng voices measure 100–130 Hz over the Sectoid backings). The
 * "low" band above reaches 117 Hz, so each word a man sings starts a low-band onset; sung on the
 * "and", those outvote the kick and move the phase. The sub-bass is the bins whose Hann main lobe
 * (centre ± 2 bins) stays below this, so no voice leaks in: at 12 kHz the 23 and 47 Hz bins.
 * Measured as the phase cue on the 4 sung Sectoid sections and the 8 band-only recordings
 * (docs/bench/rhythm.md): the bins up to 23, 47, 70, 94 and 117 Hz gave mean beat F 0.62, 0.69,
 * 0.66, 0.64, 0.62 with the voice and 0.69, 0.74, 0.73, 0.72, 0.72 without.
 */
const VOICE_FLOOR_HZ = 100;
const HANN_HALF_LOBE_BINS = 2;
/**
 * Harmonic/percussive medians: over 9 frames in time (96 ms: longer than a drum's attack, shorter
 * than a sung syllable) and 9 bands across (about an octave and a half above 300 Hz, where voice
 * harmonics are a band or two apart and a drum fills them all).
 */
const HARMONIC_FRAMES = 9;
const PERCUSSIVE_BANDS = 9;
/** The range where bass notes and chords change at bar lines. */
const TONAL_LOW_HZ = 30;
const TONAL_HIGH_HZ = 1000;

export function onsetFrames(samples: Float32Array, sampleRate: number): OnsetFrames {
  const factor = Math.max(1, Math.round(sampleRate / TARGET_RATE));
  const rate = sampleRate / factor;
  const audio = decimate(samples, factor);
  const frames = Math.max(0, Math.floor((audio.length - WINDOW) / HOP) + 1);
  const fft = new FFT(WINDOW);
  const window = new Float64Array(WINDOW);
  for (let i = 0; i < WINDOW; i++) window[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / WINDOW);
  // fft.js runs fastest on plain arrays.
  const input: number[] = new Array(WINDOW).fill(0);
  const spectrum: number[] = fft.createComplexArray();
  const edges = bandEdges(rate);
  const bands = edges.length - 1;
  const lowBands = edges.findIndex((e) => (e * rate) / WINDOW > LOW_BAND_HZ) - 1;
  // Band b's top bin is edges[b + 1] - 1; it is sub-bass when its main lobe ends below the voice.
  let subBands = 0;
  while (((edges[subBands + 1]! - 1 + HANN_HALF_LOBE_BINS) * rate) / WINDOW < VOICE_FLOOR_HZ) subBands++;
  let prev = new Float64Array(bands);
  let cur = new Float64Array(bands);
  const tonalFrom = edges.findIndex((e) => (e * rate) / WINDOW >= TONAL_LOW_HZ);
  const tonalTo = Math.max(tonalFrom + 1, edges.findIndex((e) => (e * rate) / WINDOW > TONAL_HIGH_HZ) - 1);
  const tonalBands = tonalTo - tonalFrom;
  const tonal = new Float32Array(frames * tonalBands);
  const low = new Float32Array(frames);
  const subBass = new Float32Array(frames);
  const magnitude = new Float32Array(frames * bands);
  for (let f = 0; f < frames; f++) {
    const start = f * HOP;
    for (let i = 0; i < WINDOW; i++) input[i] = audio[start + i]! * window[i]!;
    fft.realTransform(spectrum, input);
    let bass = 0;
    let sub = 0;
    for (let b = 0; b < bands; b++) {
      let power = 0;
      for (let k = edges[b]!; k < edges[b + 1]!; k++) {
        const re = spectrum[2 * k]!;
        const im = spectrum[2 * k + 1]!;
        power += re * re + im * im;
      }
      // log(1 + rms magnitude): loudness-like, so a fade or a quiet mix keeps its onsets; below
      // about -60 dBFS it flattens to zero, so a noise floor does not look like onsets.
      const rms = Math.sqrt(power / (edges[b + 1]! - edges[b]!));
      magnitude[f * bands + b] = rms;
      const level = Math.log1p(rms);
      cur[b] = level;
      if (b >= tonalFrom && b < tonalTo) tonal[f * tonalBands + b - tonalFrom] = level;
      const rise = level - prev[b]!;
      if (rise > 0 && b < lowBands) bass += rise;
      if (rise > 0 && b < subBands) sub += rise;
    }
    low[f] = f === 0 ? 0 : bass;
    subBass[f] = f === 0 ? 0 : sub;
    const t = prev;
    prev = cur;
    cur = t;
  }
  return {
    flux: percussiveFlux(magnitude, bands, frames),
    low,
    subBass,
    tonal,
    tonalBands,
    hopSamples: HOP * factor,
    // Calibrated on synthesised drums: the smoothed flux peaks when an onset is a little past the
    // middle of the Hann window, not at its start.
    offsetSamples: Math.round(0.62 * WINDOW * factor),
    frameRate: rate / HOP,
  };
}

/**
 * Flux of the percussive part of band magnitudes (`frames` × `bands`). Each cell is weighted by a
 * soft mask P²/(P² + H²), P the median across nearby bands, H the median over nearby frames, then
 * flux is the sum of rises in log(1 + magnitude). Every band counts the same, as in a mel
 * spectrogram: a kick, whose energy sits in a few narrow low bands, then weighs about as much as a
 * snare spread over the whole spectrum.
 */
function percussiveFlux(magnitude: Float32Array, bands: number, frames: number): Float32Array {
  const flux = new Float32Array(frames);
  const reachT = Math.floor(HARMONIC_FRAMES / 2);
  const reachB = Math.floor(PERCUSSIVE_BANDS / 2);
  const buf = new Float64Array(Math.max(HARMONIC_FRAMES, PERCUSSIVE_BANDS));
  const prev = new Float64Array(bands);
  for (let f = 0; f < frames; f++) {
    let all = 0;
    for (let b = 0; b < bands; b++) {
      let n = 0;
      for (let g = Math.max(0, f - reachT); g <= Math.min(frames - 1, f + reachT); g++) {
        buf[n++] = magnitude[g * bands + b]!;
      }
      const h = median(buf, n);
      n = 0;
      for (let c = Math.max(0, b - reachB); c <= Math.min(bands - 1, b + reachB); c++) {
        buf[n++] = magnitude[f * bands + c]!;
      }
      const p = median(buf, n);
      const m = magnitude[f * bands + b]!;
      const mask = p > 0 ? (p * p) / (p * p + h * h) : 0;
      const level = Math.log1p(mask * m);
      const rise = level - prev[b]!;
      if (rise > 0 && f > 0) all += rise;
      prev[b] = level;
    }
    flux[f] = all;
  }
  return flux;
}

/** Median of the first n values (sorted in place: n is at most a dozen, so insertion sort). */
function median(values: Float64Array, n: number): number {
  for (let i = 1; i < n; i++) {
    const v = values[i]!;
    let j = i - 1;
    while (j >= 0 && values[j]! > v) {
      values[j + 1] = values[j]!;
      j--;
    }
    values[j + 1] = v;
  }
  return values[n >> 1]!;
}

/**
 * FFT bin edges of the bands the flux is summed over: single bins at the bottom (kick and bass
 * notes are a bin or two apart), then bands about a sixth of an octave wide.
 */
function bandEdges(rate: number): number[] {
  const bins = WINDOW / 2;
  const edges = [1];
  let k = 1;
  while (k < bins) {
    const hz = (k * rate) / WINDOW;
    const width = Math.max(1, Math.round((hz * 0.12) / (rate / WINDOW)));
    k = Math.min(bins, k + width);
    edges.push(k);
  }
  return edges;
}

/**
 * Averages each run of `factor` samples: a crude low-pass, enough to keep aliasing out of onsets.
 * Non-finite samples (a corrupt decode) count as silence rather than poisoning every frame.
 */
function decimate(samples: Float32Array, factor: number): Float32Array {
  const n = Math.floor(samples.length / factor);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    const base = i * factor;
    for (let j = 0; j < factor; j++) {
      const x = samples[base + j]!;
      if (Number.isFinite(x)) s += x;
    }
    out[i] = s / factor;
  }
  return out;
}
