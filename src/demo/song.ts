// A demo song synthesised in code: drums, bass and a voice-like melody singing timed lyric lines.
//
// Deterministic (a seeded noise source), so the demo and its tests always hear the same song, and
// its ground truth — beats, where the voice sings, lyric lines — is known exactly.
import { SAMPLE_RATE, samplesToSeconds, secondsToSamples } from "../time/index.js";

export interface DemoLine {
  text: string;
  /** Start and end of each sung word, in samples. */
  words: { text: string; start: number; end: number }[];
}

export interface DemoSong {
  /** Interleaved stereo float samples at 48 kHz. */
  stereo: Float32Array;
  durationSamples: number;
  bpm: number;
  beats: number[];
  lines: DemoLine[];
}

const LYRICS = [
  "Hold the light a little longer",
  "Sing it back to me",
  "Every night the city hums",
  "A song that sets us free",
  "Turn it up and let it carry",
  "Over every sea",
];

// Melody in semitones above A3 (220 Hz), one note per word, phrase by phrase.
const MELODY = [
  [7, 7, 9, 7, 5, 4],
  [4, 5, 7, 4, 2],
  [7, 9, 11, 12, 9],
  [9, 7, 5, 4, 2, 0],
  [7, 7, 9, 12, 11, 9],
  [9, 7, 4, 2, 0],
];

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 0x100000000;
  };
}

/** Formant weight of harmonic frequency f for an open "ah" vowel (F1 ≈ 750 Hz, F2 ≈ 1150 Hz). */
function formant(f: number): number {
  const peak = (c: number, w: number) => Math.exp(-(((f - c) / w) ** 2));
  return 0.25 + peak(750, 180) + 0.7 * peak(1150, 200) + 0.25 * peak(2600, 300);
}

/** Synthesises the demo song: 4 bars of intro, six sung lines with gaps, an outro. */
export function synthesizeDemoSong(options: { bpm?: number; seed?: number } = {}): DemoSong {
  const bpm = options.bpm ?? 110;
  const random = rng(options.seed ?? 7);
  const beatS = 60 / bpm;
  const bars = 16;
  const durationS = bars * 4 * beatS + 1.5;
  const n = secondsToSamples(durationS);
  const mono = new Float32Array(n);
  const voice = new Float32Array(n);
  const beats: number[] = [];

  // Drums and bass.
  const roots = [0, -4, -7, -2]; // A, F, D, G
  for (let b = 0; b < bars * 4; b++) {
    const t0 = b * beatS;
    beats.push(secondsToSamples(t0));
    const start = secondsToSamples(t0);
    const barIndex = Math.floor(b / 4);
    const fadeIn = barIndex < 1 ? 0.5 : 1;
    for (let i = 0; i < secondsToSamples(beatS) && start + i < n; i++) {
      const t = i / SAMPLE_RATE;
      // Kick: a falling sine on every beat.
      const kick = Math.sin(2 * Math.PI * (45 * t + (110 / 30) * (1 - Math.exp(-30 * t)))) * Math.exp(-7 * t);
      // Snare on 2 and 4: a noise burst with a body tone.
      const snare =
        b % 2 === 1
          ? ((random() * 2 - 1) * 0.6 + 0.4 * Math.sin(2 * Math.PI * 190 * t)) * Math.exp(-18 * t)
          : 0;
      // Hi-hats on eighths.
      const te = t % (beatS / 2);
      const hat = (random() * 2 - 1) * 0.18 * Math.exp(-70 * te);
      // Bass: the bar's root, plucked on each beat.
      const f = 55 * 2 ** (roots[barIndex % 4]! / 12);
      const bass = 0.35 * Math.sin(2 * Math.PI * f * t) * Math.exp(-2.5 * t);
      mono[start + i]! += fadeIn * (0.55 * kick + 0.35 * snare + hat + bass);
    }
  }

  // Voice: each line starts on a bar, words on beats or half beats, with a gap between lines.
  const lines: DemoLine[] = [];
  const firstBar = 4;
  LYRICS.forEach((text, li) => {
    const words = text.split(" ");
    const melody = MELODY[li]!;
    const lineStart = (firstBar + li * 2) * 4 * beatS;
    const wordDur = Math.min(beatS * 0.9, (6 * beatS) / words.length);
    const step = (6.5 * beatS) / words.length;
    const line: DemoLine = { text, words: [] };
    words.forEach((word, wi) => {
      const ws = lineStart + wi * step;
      const dur = wi === words.length - 1 ? wordDur * 1.6 : wordDur;
      const f0 = 220 * 2 ** ((melody[wi % melody.length] ?? 0) / 12);
      const s0 = secondsToSamples(ws);
      const len = secondsToSamples(dur);
      // Formant weights per harmonic, fixed for the note (vibrato moves them too little to hear).
      const weights = Array.from({ length: 12 }, (_, h) => formant(f0 * (h + 1)) / (h + 1));
      for (let i = 0; i < len && s0 + i < n; i++) {
        const t = i / SAMPLE_RATE;
        const env = Math.min(1, t / 0.03) * Math.min(1, (dur - t) / 0.06);
        const phase =
          2 *
          Math.PI *
          f0 *
          (t - (0.012 / (2 * Math.PI * 5.5)) * Math.cos(2 * Math.PI * 5.5 * t) * Math.min(1, t / 0.2));
        let v = 0;
        for (let h = 0; h < 12; h++) v += weights[h]! * Math.sin((h + 1) * phase);
        voice[s0 + i]! += 0.22 * env * v + 0.01 * env * (random() * 2 - 1);
      }
      line.words.push({ text: word, start: s0, end: s0 + len });
    });
    lines.push(line);
  });

  // Mix: voice slightly right of centre over the band, a gentle fade at the end.
  const stereo = new Float32Array(n * 2);
  const fadeStart = n - secondsToSamples(1.5);
  for (let i = 0; i < n; i++) {
    const fade = i > fadeStart ? (n - i) / (n - fadeStart) : 1;
    stereo[2 * i] = 0.8 * fade * (mono[i]! + 0.9 * voice[i]!);
    stereo[2 * i + 1] = 0.8 * fade * (mono[i]! + 1.0 * voice[i]!);
  }
  return { stereo, durationSamples: n, bpm, beats, lines };
}

function lrcTime(samples: number): string {
  const cs = Math.round(samplesToSeconds(samples) * 100);
  const m = Math.floor(cs / 6000);
  const s = Math.floor((cs % 6000) / 100);
  return `${String(m).padStart(2, "0")}:${String(s).padStart(2, "0")}.${String(cs % 100).padStart(2, "0")}`;
}

/** Enhanced LRC with word tags for the demo's lines. */
export function demoLrc(song: DemoSong): string {
  const out = ["[ti:refrain demo]", "[ar:refrain]"];
  for (const line of song.lines) {
    const words = line.words.map((w) => `<${lrcTime(w.start)}>${w.text}`).join(" ");
    const end = line.words[line.words.length - 1]!.end;
    out.push(`[${lrcTime(line.words[0]!.start)}]${words} <${lrcTime(end)}>`);
  }
  return `${out.join("\n")}\n`;
}
