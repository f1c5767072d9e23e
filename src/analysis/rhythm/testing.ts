// A small, deterministic drum-machine synthesiser: test songs with known beats for the rhythm tracker.
//
// Every song is built from parts (grooves, silences, quiet pads, beatless melody, noise) so a test
// states the musical situation it checks and gets the ground-truth beats and downbeats with it.

import { seededRandom } from "../../testing/index.js";

const MASTER_RATE = 48_000;

export interface GroovePart {
  readonly kind: "groove";
  readonly bars: number;
  readonly bpm: number;
  /** Tempo at the end of the part, for a ramp (linear in BPM per beat). */
  readonly bpmEnd?: number;
  readonly meter?: 3 | 4;
  /** Where the off-beat eighth falls within the beat: 0.5 straight, 2/3 triplet swing. */
  readonly swing?: number;
  /** Hi-hat on eighths (default) or on quarters only. */
  readonly hats?: "eighths" | "quarters" | "none";
  /**
   * The drum pattern. rock (default): kick on 1 and 3, snare on 2 and 4. skank: kick on every
   * beat, a snare twice as loud on every "and" (as in thrash and punk mixes, where the loudest
   * hit falls between the beats).
   */
  readonly pattern?: "rock" | "skank";
  readonly gainDb?: number;
}

export interface QuietPart {
  /** silence: digital silence; pad: a soft sustained chord; noise: steady noise; melody: beatless rubato tune. */
  readonly kind: "silence" | "pad" | "noise" | "melody";
  readonly seconds: number;
  readonly gainDb?: number;
}

export type Part = GroovePart | QuietPart;

export interface SongSpec {
  readonly parts: readonly Part[];
  readonly sampleRate?: number;
  readonly fadeInSeconds?: number;
  readonly fadeOutSeconds?: number;
  readonly seed?: number;
  /** Steady noise under the whole song, in dB relative to the drums (e.g. -30), for a less clean mix. */
  readonly noiseFloorDb?: number;
  /**
   * A voice singing through the whole song, in dB relative to the drums (e.g. +6 for a voice on
   * top): syllables of irregular length whose pitch glides, as Mandarin tones do, starting off the beat.
   */
  readonly voiceDb?: number;
  /**
   * How the voice is phrased. free (default): as above. ands: a word on every "and" (halfway
   * between two beats), held almost to the next, at a low male pitch (100–130 Hz), as a singer
   * phrasing off the beat or the evaluation set's espeak-ng words over a fast backing.
   */
  readonly voiceStyle?: "free" | "ands";
}

export interface SynthSong {
  readonly samples: Float32Array;
  readonly sampleRate: number;
  /** Ground truth, as 48 kHz sample positions. */
  readonly beats: number[];
  readonly downbeats: number[];
}

function dbToGain(db: number): number {
  return 10 ** (db / 20);
}

class Mixer {
  readonly out: Float32Array;
  constructor(
    length: number,
    readonly rate: number,
    readonly rand: () => number,
  ) {
    this.out = new Float32Array(length);
  }

  private add(at: number, seconds: number, voice: (t: number) => number): void {
    const start = Math.round(at * this.rate);
    const n = Math.min(Math.round(seconds * this.rate), this.out.length - start);
    for (let i = Math.max(0, -start); i < n; i++) {
      this.out[start + i]! += voice(i / this.rate);
    }
  }

  kick(at: number, gain: number): void {
    // A falling sine: the pitch sweep is what makes a synthetic kick read as a kick.
    let phase = 0;
    let last = 0;
    this.add(at, 0.3, (t) => {
      const f = 50 + 90 * Math.exp(-t / 0.03);
      phase += 2 * Math.PI * f * (t - last);
      last = t;
      return 0.9 * gain * Math.sin(phase) * Math.exp(-t / 0.09);
    });
  }

  snare(at: number, gain: number): void {
    const r = this.rand;
    this.add(
      at,
      0.25,
      (t) =>
        gain *
        (0.45 * (2 * r() - 1) * Math.exp(-t / 0.06) +
          0.3 * Math.sin(2 * Math.PI * 190 * t) * Math.exp(-t / 0.04)),
    );
  }

  hat(at: number, gain: number): void {
    const r = this.rand;
    let prev = 0;
    this.add(at, 0.06, (t) => {
      // First difference of white noise: energy pushed to the top of the spectrum, like a closed hat.
      const x = 2 * r() - 1;
      const y = x - prev;
      prev = x;
      return 0.12 * gain * y * Math.exp(-t / 0.015);
    });
  }

  /** A sung syllable: eight harmonics, falling in level, on a pitch gliding from f0 to f1. */
  syllable(at: number, seconds: number, f0: number, f1: number, gain: number): void {
    let phase = 0;
    let last = 0;
    this.add(at, seconds, (t) => {
      const f = f0 + ((f1 - f0) * t) / seconds;
      phase += 2 * Math.PI * f * (t - last);
      last = t;
      const env = Math.min(1, t / 0.02) * Math.min(1, (seconds - t) / 0.03);
      let v = 0;
      for (let k = 1; k <= 8; k++) v += Math.sin(k * phase) / k;
      return gain * env * v;
    });
  }

  tone(at: number, seconds: number, freq: number, gain: number, attack = 0.005): void {
    this.add(at, seconds, (t) => {
      const env = Math.min(1, t / attack) * Math.min(1, (seconds - t) / 0.05);
      return gain * env * Math.sin(2 * Math.PI * freq * t) * Math.exp(-t / (seconds * 1.5));
    });
  }

  noise(at: number, seconds: number, gain: number): void {
    const r = this.rand;
    this.add(at, seconds, () => gain * (2 * r() - 1));
  }
}

const BASS_NOTES = [55, 65.41, 49, 73.42];
const MELODY_NOTES = [261.6, 293.7, 329.6, 392, 440, 523.3];

function beatTimes(part: GroovePart, start: number): number[] {
  const meter = part.meter ?? 4;
  const count = part.bars * meter;
  const end = part.bpmEnd ?? part.bpm;
  const times: number[] = [];
  let t = start;
  for (let k = 0; k <= count; k++) {
    times.push(t);
    const bpm = part.bpm + ((end - part.bpm) * k) / count;
    t += 60 / bpm;
  }
  return times; // count + 1 entries: the last is where the next part starts
}

function partSeconds(part: Part): number {
  if (part.kind !== "groove") return part.seconds;
  const times = beatTimes(part, 0);
  return times[times.length - 1]!;
}

/** Renders a song and the beats a drummer would count in it. */
export function synthesizeSong(spec: SongSpec): SynthSong {
  const rate = spec.sampleRate ?? MASTER_RATE;
  const total = spec.parts.reduce((s, p) => s + partSeconds(p), 0) + 0.5;
  const mix = new Mixer(Math.ceil(total * rate), rate, seededRandom(spec.seed ?? 1));
  const beats: number[] = [];
  const downbeats: number[] = [];
  let at = 0;
  for (const part of spec.parts) {
    const seconds = partSeconds(part);
    const gain = dbToGain(part.gainDb ?? 0);
    if (part.kind === "groove") {
      const meter = part.meter ?? 4;
      const swing = part.swing ?? 0.5;
      const times = beatTimes(part, at);
      for (let k = 0; k < times.length - 1; k++) {
        const t = times[k]!;
        const period = times[k + 1]! - t;
        const pos = k % meter;
        beats.push(Math.round(t * MASTER_RATE));
        if (pos === 0) {
          downbeats.push(Math.round(t * MASTER_RATE));
          const note = BASS_NOTES[Math.floor(k / meter) % BASS_NOTES.length]!;
          mix.tone(t, period * meter * 0.95, note, 0.35 * gain);
        }
        if (part.pattern === "skank") {
          mix.kick(t, gain);
          mix.snare(t + swing * period, 2 * gain);
        } else {
          // 4/4: kick on 1 and 3, snare on 2 and 4. 3/4: kick on 1, snare on 2 and 3 (a waltz).
          const kick = meter === 4 ? pos % 2 === 0 : pos === 0;
          if (kick) mix.kick(t, gain);
          else mix.snare(t, gain);
        }
        if (part.hats !== "none") {
          mix.hat(t, gain);
          if (part.hats !== "quarters") mix.hat(t + swing * period, 0.7 * gain);
        }
      }
    } else if (part.kind === "pad") {
      for (const f of [220, 277.2, 329.6]) mix.tone(at, seconds, f, 0.1 * gain, 1.5);
    } else if (part.kind === "noise") {
      mix.noise(at, seconds, 0.2 * gain);
    } else if (part.kind === "melody") {
      // Notes of irregular length with soft attacks: a tune with no pulse to tap along to.
      const r = seededRandom((spec.seed ?? 1) * 7919);
      let t = at;
      while (t < at + seconds - 0.3) {
        const len = Math.min(0.35 + 1.3 * r(), at + seconds - t);
        const note = MELODY_NOTES[Math.floor(r() * MELODY_NOTES.length)]!;
        mix.tone(t, len, note, 0.3 * gain, 0.12);
        t += len;
      }
    }
    at += seconds;
  }
  if (spec.noiseFloorDb !== undefined) mix.noise(0, at, 0.3 * dbToGain(spec.noiseFloorDb));
  if (spec.voiceDb !== undefined && spec.voiceStyle === "ands") {
    const r = seededRandom((spec.seed ?? 1) * 104_729);
    for (let k = 0; k + 1 < beats.length; k++) {
      const from = beats[k]! / MASTER_RATE;
      const period = beats[k + 1]! / MASTER_RATE - from;
      if (period > 1.5) continue;
      const f0 = 100 + 30 * r();
      mix.syllable(from + period / 2, 0.9 * period, f0, f0 * (0.9 + 0.2 * r()), 0.3 * dbToGain(spec.voiceDb));
    }
  } else if (spec.voiceDb !== undefined) {
    const r = seededRandom((spec.seed ?? 1) * 104_729);
    let t = 0.37;
    while (t < at - 0.5) {
      const len = 0.15 + 0.35 * r();
      const f0 = 140 + 160 * r();
      mix.syllable(t, len, f0, f0 * (0.75 + 0.5 * r()), 0.3 * dbToGain(spec.voiceDb));
      t += len + 0.03 + 0.1 * r();
    }
  }
  applyFades(mix.out, rate, spec.fadeInSeconds ?? 0, spec.fadeOutSeconds ?? 0, at);
  return { samples: mix.out, sampleRate: rate, beats, downbeats };
}

function applyFades(out: Float32Array, rate: number, fadeIn: number, fadeOut: number, end: number): void {
  const inN = Math.round(fadeIn * rate);
  for (let i = 0; i < inN && i < out.length; i++) out[i]! *= i / inN;
  const outN = Math.round(fadeOut * rate);
  const endN = Math.min(out.length, Math.round(end * rate));
  for (let i = Math.max(0, endN - outN); i < out.length; i++) {
    out[i]! *= i >= endN ? 0 : (endN - i) / outN;
  }
}

/** Ground-truth beats that fall inside [fromSeconds, toSeconds): for scoring a part of a song. */
export function beatsBetween(beats: readonly number[], fromSeconds: number, toSeconds: number): number[] {
  return beats.filter((b) => b >= fromSeconds * MASTER_RATE && b < toSeconds * MASTER_RATE);
}
