// Builds the analysis evaluation set into bench/out/evalset/: synthetic songs with exact ground truth.
//
// Run: npx tsx bench/evalset/build.ts [outDir]
// Drum one-shots come from sox, each sung word from espeak-ng (rendered alone at a pitch from a
// melody, so its start and end are known exactly), and everything is mixed here at 48 kHz and
// encoded by ffmpeg into the song's format and sample rate. Beats and downbeats are known from
// construction; vocal intervals are measured from the rendered voice stem (10 ms frames).
// Lyric timings are written two ways from the same ground truth: an enhanced LRC (word tags, line
// ends, [Section] tags; by the library's own writer) and Suno aligned words as docs.sunoapi.org
// returns them ({"data":{"alignedWords":[{word,startS,endS,success,palign}]}}, a section header
// carried by the first word of a section: "[Chorus]\nWord"), exact and rough (`<id>.suno-rough.json`:
// edges off by up to 80 ms and one word in 20 unaligned, as a real aligner errs).
// `buildSongs` builds other specs the same way; a spec with a `backing` (a recorded instrumental and
// its known beats, as bench/real-songs.ts gives) is sung over that in place of the synthetic band.
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { toLrc } from "../../src/analysis/lyrics/index.js";
import type { Lyrics } from "../../src/analysis/types.js";
import { seededRandom } from "../../src/testing/index.js";
import { secondsToSamples } from "../../src/time/index.js";

const run = promisify(execFile);
const SR = 48_000;

export interface SongSpec {
  id: string;
  /** Length in seconds. */
  duration: number;
  /** Tempo sections: from `at` seconds on, `bpm`. Empty for a song with no beat. */
  tempo: { at: number; bpm: number }[];
  meter: 3 | 4;
  swing?: boolean;
  lang: "en" | "cmn";
  format: "wav" | "mp3" | "flac" | "m4a" | "ogg";
  sampleRate: 22_050 | 44_100 | 48_000;
  channels?: 1 | 2;
  /** Seconds of soft drums with no voice at the start. */
  quietIntro?: number;
  /** An instrumental stretch [from, to) in seconds with no voice. */
  breakAt?: [number, number];
  fadeIn?: number;
  fadeOut?: number;
  /** Seconds before the first line (default: 2 bars). */
  voiceFrom?: number;
  /** Level of drums, bass and pad against the voice (default 1); below 1 the voice sits on top. */
  musicGain?: number;
  /** Bars of rest between sung lines (default 1). */
  restBars?: number;
  /** A recorded instrumental in place of the drums, bass and pad (the beats are then its own). */
  backing?: Backing;
}

/** A real instrumental to sing over: its audio, the beats known for it, and the voice's level on top. */
export interface Backing {
  /** Where it comes from, for the truth file (e.g. "sectoid/Feelings 45.47–115.47 s"). */
  source: string;
  /** Mono at 48 kHz, `duration` seconds long. */
  pcm: Float32Array;
  /** Beat and downbeat times in seconds from the backing's first sample (e.g. a chart's). */
  beats: number[];
  downbeats: number[];
  /** The voice's RMS over its sung frames (`vocalTruth`) against the backing's over the same frames, in dB. */
  voiceOverDb: number;
}

export const SONGS: SongSpec[] = [
  {
    id: "pop-120",
    duration: 40,
    tempo: [{ at: 0, bpm: 120 }],
    meter: 4,
    lang: "en",
    format: "wav",
    sampleRate: 48_000,
  },
  {
    id: "slow-70",
    duration: 45,
    tempo: [{ at: 0, bpm: 70 }],
    meter: 4,
    lang: "en",
    format: "wav",
    sampleRate: 44_100,
  },
  {
    id: "fast-170",
    duration: 35,
    tempo: [{ at: 0, bpm: 170 }],
    meter: 4,
    lang: "en",
    format: "mp3",
    sampleRate: 44_100,
    channels: 2,
  },
  {
    id: "waltz-96",
    duration: 40,
    tempo: [{ at: 0, bpm: 96 }],
    meter: 3,
    lang: "en",
    format: "flac",
    sampleRate: 48_000,
  },
  {
    id: "swing-132",
    duration: 40,
    tempo: [{ at: 0, bpm: 132 }],
    meter: 4,
    swing: true,
    lang: "en",
    format: "m4a",
    sampleRate: 48_000,
    channels: 2,
  },
  {
    id: "tempo-change-100-140",
    duration: 45,
    tempo: [
      { at: 0, bpm: 100 },
      { at: 24, bpm: 140 },
    ],
    meter: 4,
    lang: "en",
    format: "wav",
    sampleRate: 48_000,
  },
  {
    id: "acappella",
    duration: 30,
    tempo: [],
    meter: 4,
    lang: "en",
    format: "wav",
    sampleRate: 48_000,
    voiceFrom: 1,
  },
  {
    id: "quiet-intro-110",
    duration: 40,
    tempo: [{ at: 0, bpm: 110 }],
    meter: 4,
    lang: "en",
    format: "mp3",
    sampleRate: 48_000,
    quietIntro: 10,
  },
  {
    id: "break-124",
    duration: 60,
    tempo: [{ at: 0, bpm: 124 }],
    meter: 4,
    lang: "en",
    format: "flac",
    sampleRate: 44_100,
    breakAt: [20, 40],
  },
  {
    id: "fades-90-cmn",
    duration: 40,
    tempo: [{ at: 0, bpm: 90 }],
    meter: 4,
    lang: "cmn",
    format: "m4a",
    sampleRate: 44_100,
    fadeIn: 4,
    fadeOut: 5,
  },
  {
    id: "mandarin-128",
    duration: 40,
    tempo: [{ at: 0, bpm: 128 }],
    meter: 4,
    lang: "cmn",
    format: "wav",
    sampleRate: 44_100,
  },
  {
    id: "mandarin-ballad-76",
    duration: 45,
    tempo: [{ at: 0, bpm: 76 }],
    meter: 4,
    lang: "cmn",
    format: "mp3",
    sampleRate: 48_000,
  },
  {
    // A low sample rate (no hi-hat above 11 kHz) in Ogg Vorbis.
    id: "lofi-22k-104",
    duration: 40,
    tempo: [{ at: 0, bpm: 104 }],
    meter: 4,
    lang: "en",
    format: "ogg",
    sampleRate: 22_050,
    channels: 2,
  },
  {
    // Mandarin sung without a rest over drums 10 dB down: a loud voice, its syllables and tone
    // glides off the beat, must not hide a steady pulse (issue 3).
    id: "loud-voice-120-cmn",
    duration: 60,
    tempo: [{ at: 0, bpm: 120 }],
    meter: 4,
    lang: "cmn",
    format: "mp3",
    sampleRate: 44_100,
    channels: 2,
    musicGain: 0.32,
    restBars: 0,
  },
  {
    id: "long-3min-118",
    duration: 180,
    tempo: [{ at: 0, bpm: 118 }],
    meter: 4,
    lang: "en",
    format: "wav",
    sampleRate: 48_000,
  },
];

const LINES: Record<"en" | "cmn", string[]> = {
  en: [
    "the city lights are calling me home",
    "I walk alone beneath the silver moon",
    "hold on tonight we sing until the morning",
    "every heartbeat carries me to you",
    "and the river runs forever",
    "we were young and we were golden",
    "never let the music fade away",
    "open up your eyes and see the sky",
  ],
  cmn: [
    "我 们 一起 唱 这 首 歌",
    "月亮 照 在 小 河 上",
    "你 的 笑容 像 阳光",
    "风 吹 过 那 片 山 岗",
    "今夜 的 星星 都 在 闪 亮",
    "让 我 陪 你 走 到 天 亮",
  ],
};

const SECTIONS = ["Verse 1", "Chorus", "Verse 2", "Chorus", "Bridge", "Chorus"];
/** A simple melody as espeak-ng pitch values (0–99), one per word. */
const MELODY = [50, 58, 66, 58, 72, 64, 54, 46, 60, 70];

interface Placed {
  text: string;
  start: number;
  end: number;
}

function readWav(bytes: Buffer): { rate: number; pcm: Float32Array } {
  let at = 12;
  let rate = 22_050;
  while (at + 8 <= bytes.length) {
    const id = bytes.toString("ascii", at, at + 4);
    const size = bytes.readUInt32LE(at + 4);
    if (id === "fmt ") rate = bytes.readUInt32LE(at + 12);
    if (id === "data") {
      const end = Math.min(bytes.length, at + 8 + size);
      const n = Math.floor((end - at - 8) / 2);
      const pcm = new Float32Array(n);
      for (let i = 0; i < n; i++) pcm[i] = bytes.readInt16LE(at + 8 + 2 * i) / 32768;
      return { rate, pcm };
    }
    at += 8 + size + (size % 2);
  }
  throw new Error("no data chunk in espeak-ng output");
}

function resampleLinear(pcm: Float32Array, from: number): Float32Array {
  const n = Math.floor((pcm.length * SR) / from);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const x = (i * from) / SR;
    const j = Math.floor(x);
    const f = x - j;
    out[i] = (pcm[j] ?? 0) * (1 - f) + (pcm[j + 1] ?? 0) * f;
  }
  return out;
}

/** Trims leading and trailing near-silence so the word's placed span is where it sounds. */
function trim(pcm: Float32Array): Float32Array {
  const t = 0.01;
  let a = 0;
  while (a < pcm.length && Math.abs(pcm[a] ?? 0) < t) a++;
  let b = pcm.length;
  while (b > a && Math.abs(pcm[b - 1] ?? 0) < t) b--;
  return pcm.slice(a, b);
}

const wordCache = new Map<string, Promise<Float32Array>>();

function sing(dir: string, word: string, lang: "en" | "cmn", pitch: number): Promise<Float32Array> {
  const key = `${lang}|${pitch}|${word}`;
  let p = wordCache.get(key);
  if (!p) {
    const file = join(dir, `w${wordCache.size}.wav`);
    p = run("espeak-ng", [
      "-v",
      lang === "en" ? "en-us" : "cmn",
      "-p",
      String(pitch),
      "-s",
      "120",
      "-w",
      file,
      word,
    ]).then(async () => {
      const { rate, pcm } = readWav(await readFile(file));
      return trim(resampleLinear(pcm, rate));
    });
    wordCache.set(key, p);
  }
  return p;
}

async function oneShots(dir: string): Promise<Record<"kick" | "snare" | "hat", Float32Array>> {
  const make = async (name: string, args: string[]) => {
    const file = join(dir, `${name}.wav`);
    await run("sox", ["-R", "-n", "-r", String(SR), "-b", "16", "-c", "1", file, "synth", ...args]);
    return readWav(await readFile(file)).pcm;
  };
  const [kick, snare, hat] = await Promise.all([
    make("kick", ["0.3", "sine", "150:45", "fade", "0", "0.3", "0.25", "gain", "-2"]),
    make("snare", ["0.2", "noise", "band", "1800", "1500", "fade", "0", "0.2", "0.18", "gain", "-6"]),
    make("hat", ["0.05", "noise", "highpass", "7000", "fade", "0", "0.05", "0.045", "gain", "-12"]),
  ]);
  return { kick, snare, hat };
}

/** Beat times in seconds from a tempo map, up to `duration`. */
export function beatTimes(tempo: SongSpec["tempo"], duration: number): number[] {
  const beats: number[] = [];
  if (tempo.length === 0) return beats;
  let t = 0;
  let k = 0;
  while (t < duration - 0.05) {
    beats.push(t);
    while (k + 1 < tempo.length && t + 1e-9 >= (tempo[k + 1]?.at ?? Infinity)) k++;
    t += 60 / (tempo[k]?.bpm ?? 120);
  }
  return beats;
}

function add(into: Float32Array, pcm: Float32Array, atSample: number, gain: number): void {
  for (let i = 0; i < pcm.length; i++) {
    const j = atSample + i;
    if (j >= 0 && j < into.length) into[j] = (into[j] ?? 0) + (pcm[i] ?? 0) * gain;
  }
}

const NOTE = [55, 55 * 1.335, 55 * 1.498, 55 * 1.189]; // A, D, E, C (bass roots, Hz)

function bassAndPad(mix: Float32Array, beats: number[], meter: number, level: (t: number) => number): void {
  for (let b = 0; b < beats.length; b++) {
    const bar = Math.floor(b / meter);
    const f = NOTE[bar % NOTE.length] ?? 55;
    const start = Math.round((beats[b] ?? 0) * SR);
    const len = Math.round(((beats[b + 1] ?? (beats[b] ?? 0) + 0.5) - (beats[b] ?? 0)) * SR);
    const g = level(beats[b] ?? 0);
    for (let i = 0; i < len; i++) {
      const t = i / SR;
      const env = Math.min(1, t / 0.01) * Math.exp(-t * 3);
      const bass = Math.sin(2 * Math.PI * f * t) + 0.3 * Math.sin(4 * Math.PI * f * t);
      // A soft major-triad pad two octaves up: tonal content in the voice band, to tempt the detector.
      const pad =
        0.25 *
        (Math.sin(2 * Math.PI * 4 * f * t) +
          Math.sin(2 * Math.PI * 5 * f * t) +
          Math.sin(2 * Math.PI * 6 * f * t));
      const j = start + i;
      if (j < mix.length) mix[j] = (mix[j] ?? 0) + g * (0.22 * bass * env + 0.08 * pad);
    }
  }
}

/** 10 ms frames of the voice stem above −40 dB of its loudest frame, merged across gaps < 250 ms. */
export function vocalTruth(stem: Float32Array): [number, number][] {
  const hop = SR / 100;
  const frames = Math.ceil(stem.length / hop);
  const rms = new Float64Array(frames);
  let top = 0;
  for (let f = 0; f < frames; f++) {
    let p = 0;
    for (let i = f * hop; i < Math.min(stem.length, (f + 1) * hop); i++) p += (stem[i] ?? 0) ** 2;
    rms[f] = Math.sqrt(p / hop);
    top = Math.max(top, rms[f] ?? 0);
  }
  const thr = top * 10 ** (-40 / 20);
  const out: [number, number][] = [];
  for (let f = 0; f < frames; f++) {
    if ((rms[f] ?? 0) <= thr) continue;
    const last = out[out.length - 1];
    if (last && f - last[1] < 25) last[1] = f + 1;
    else out.push([f, f + 1]);
  }
  return out.map(([a, b]) => [a / 100, b / 100]);
}

const ms = (s: number) => Math.round(s * 1000) / 1000;

/**
 * Puts the backing into `music` at the level that leaves the voice `voiceOverDb` over it (RMS over
 * the sung frames, as a pop mix sits the voice on top), then scales both down together if their sum
 * would pass 0.98 of full scale after the master gain — a real backing is mastered loud, and a
 * clipped mix would change what the detector hears.
 */
function levelBacking(backing: Backing, music: Float32Array, voice: Float32Array): void {
  let v = 0;
  let m = 0;
  for (const [a, b] of vocalTruth(voice)) {
    for (let i = Math.round(a * SR); i < Math.min(voice.length, Math.round(b * SR)); i++) {
      v += (voice[i] ?? 0) ** 2;
      m += (backing.pcm[i] ?? 0) ** 2;
    }
  }
  const gain = m > 0 ? Math.sqrt(v / m) * 10 ** (-backing.voiceOverDb / 20) : 1;
  let peak = 0;
  for (let i = 0; i < music.length; i++) {
    music[i] = (backing.pcm[i] ?? 0) * gain;
    peak = Math.max(peak, 0.6 * Math.abs((music[i] ?? 0) + (voice[i] ?? 0)));
  }
  if (peak <= 0.98) return;
  for (let i = 0; i < music.length; i++) {
    music[i] = ((music[i] ?? 0) * 0.98) / peak;
    voice[i] = ((voice[i] ?? 0) * 0.98) / peak;
  }
}

export interface TruthLine {
  text: string;
  start_s: number;
  end_s: number;
  section: string;
  words: { text: string; start_s: number; end_s: number }[];
}

/** The ground truth as Lyrics (words timed, sections from each line's section), for the LRC writer. */
export function truthLyrics(lines: TruthLine[]): Lyrics {
  const sections: { name: string; kind: string; start: number; end: number }[] = [];
  for (const l of lines) {
    const last = sections[sections.length - 1];
    const start = secondsToSamples(l.start_s);
    if (last?.name === l.section) continue;
    if (last) last.end = start;
    sections.push({ name: l.section, kind: l.section.toLowerCase().split(" ")[0] ?? "", start, end: start });
  }
  const lastLine = lines[lines.length - 1];
  const lastSection = sections[sections.length - 1];
  if (lastSection && lastLine) lastSection.end = secondsToSamples(lastLine.end_s);
  return {
    lines: lines.map((l) => ({
      text: l.text,
      start: secondsToSamples(l.start_s),
      end: secondsToSamples(l.end_s),
      section: l.section,
      words: l.words.map((w) => ({
        text: w.text,
        start: secondsToSamples(w.start_s),
        end: secondsToSamples(w.end_s),
      })),
    })),
    sections,
    estimated: false,
    format: "lrc-enhanced",
    warnings: [],
  };
}

/** How a real aligner errs: each word edge off by up to `jitterS`, and every n-th word not aligned. */
export interface RoughAlignment {
  seed: number;
  jitterS: number;
  unalignedEvery: number;
}

/**
 * Suno aligned words as docs.sunoapi.org's get-timestamped-lyrics returns them: one record per word,
 * a trailing space between English words, a newline after a line's last word, and the section header
 * ("[Chorus]\n") in front of the first word of each section.
 */
export function truthSunoJson(lines: TruthLine[], lang: "en" | "cmn", rough?: RoughAlignment): unknown {
  const alignedWords: { word: string; success: boolean; startS: number; endS: number; palign: number }[] = [];
  let section = "";
  const random = seededRandom(rough?.seed ?? 1);
  const jitter = () => (rough ? (2 * random() - 1) * rough.jitterS : 0);
  let n = 0;
  for (const l of lines) {
    l.words.forEach((w, i) => {
      const header = i === 0 && l.section !== section ? `[${l.section}]\n` : "";
      const tail = i === l.words.length - 1 ? "\n" : lang === "en" ? " " : "";
      const unaligned = rough !== undefined && ++n % rough.unalignedEvery === 0;
      const start = Math.max(0, w.start_s + jitter());
      const end = Math.max(start + 0.02, w.end_s + jitter());
      alignedWords.push({
        word: `${header}${w.text}${tail}`,
        success: !unaligned,
        // Suno gives an unaligned word times too, but they cannot be trusted.
        startS: unaligned ? 0 : ms(start),
        endS: unaligned ? 0 : ms(end),
        palign: 0,
      });
    });
    section = l.section;
  }
  return {
    code: 200,
    msg: "success",
    data: { alignedWords, waveformData: [], hootCer: 0, isStreamed: false },
  };
}

async function buildSong(
  spec: SongSpec,
  outDir: string,
  work: string,
  shots: Awaited<ReturnType<typeof oneShots>>,
) {
  const n = Math.round(spec.duration * SR);
  const music = new Float32Array(n);
  const voice = new Float32Array(n);
  const beats = spec.backing?.beats ?? beatTimes(spec.tempo, spec.duration);
  const downbeats = spec.backing?.downbeats ?? beats.filter((_, i) => i % spec.meter === 0);
  const level = (t: number) => (spec.musicGain ?? 1) * (spec.quietIntro && t < spec.quietIntro ? 0.12 : 1);

  // A backing replaces the synthetic band: it is levelled against the voice once the voice is placed.
  for (let b = 0; !spec.backing && b < beats.length; b++) {
    const t = beats[b] ?? 0;
    const at = Math.round(t * SR);
    const inBar = b % spec.meter;
    const g = level(t);
    const isKick = spec.meter === 3 ? inBar === 0 : inBar === 0 || inBar === 2;
    if (isKick) add(music, shots.kick, at, 0.9 * g);
    else add(music, shots.snare, at, 0.7 * g);
    const next = beats[b + 1] ?? t + 60 / (spec.tempo[spec.tempo.length - 1]?.bpm ?? 120);
    add(music, shots.hat, at, 0.6 * g);
    const off = t + (next - t) * (spec.swing ? 2 / 3 : 1 / 2);
    add(music, shots.hat, Math.round(off * SR), 0.45 * g);
  }
  if (beats.length > 0 && !spec.backing) bassAndPad(music, beats, spec.meter, level);

  // Voice: lines start on downbeats (or every 2.2 s a cappella), a bar of rest (restBars) between lines.
  const barStarts = downbeats.length > 0 ? downbeats : Array.from({ length: 200 }, (_, i) => i * 2.2);
  const words: Placed[] = [];
  const lines: (Placed & { section: string; words: Placed[] })[] = [];
  const firstVoice = spec.voiceFrom ?? Math.max(spec.quietIntro ?? 0, (barStarts[2] ?? 2) - 0.01);
  let cursor = firstVoice;
  let lineNo = 0;
  const pool = LINES[spec.lang];
  const beatLen = spec.tempo.length ? 60 / (spec.tempo[0]?.bpm ?? 120) : 0.45;
  while (true) {
    const startBar = barStarts.find((x) => x >= cursor - 1e-6);
    if (startBar === undefined) break;
    if (spec.breakAt && startBar >= spec.breakAt[0] - 4 && startBar < spec.breakAt[1]) {
      cursor = spec.breakAt[1];
      continue;
    }
    const text = pool[lineNo % pool.length] ?? "";
    const tokens = text.split(" ");
    let t = startBar;
    const lineWords: Placed[] = [];
    for (let w = 0; w < tokens.length; w++) {
      const token = tokens[w] ?? "";
      const pcm = await sing(work, token, spec.lang, MELODY[(w + lineNo) % MELODY.length] ?? 50);
      const end = t + pcm.length / SR;
      if (end > spec.duration - (spec.fadeOut ?? 0) - 1) break;
      add(voice, pcm, Math.round(t * SR), 0.7);
      lineWords.push({ text: token, start: t, end });
      // Words sit on half-beats where they fit, else right after the previous word.
      const slot = t + Math.max(beatLen / 2, 0.2);
      t = Math.max(slot, end + 0.04);
    }
    if (lineWords.length === 0) break;
    const last = lineWords[lineWords.length - 1] as Placed;
    words.push(...lineWords);
    lines.push({
      text: lineWords.map((w) => w.text).join(spec.lang === "en" ? " " : ""),
      start: startBar,
      end: last.end,
      section: SECTIONS[Math.floor(lineNo / 2) % SECTIONS.length] ?? "Verse",
      words: lineWords,
    });
    lineNo++;
    cursor = last.end + (spec.tempo.length ? beatLen * spec.meter * (spec.restBars ?? 1) : 1.2);
  }

  // Fades apply to the whole mix; the truth is measured from the voice as it sounds in it.
  const fade = new Float32Array(n).fill(1);
  if (spec.fadeIn) for (let i = 0; i < spec.fadeIn * SR; i++) fade[i] = i / (spec.fadeIn * SR);
  if (spec.fadeOut) {
    const len = Math.round(spec.fadeOut * SR);
    for (let i = 0; i < len; i++) fade[n - len + i] = Math.min(fade[n - len + i] ?? 1, 1 - i / len);
  }
  if (spec.backing) levelBacking(spec.backing, music, voice);
  const mix = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    voice[i] = (voice[i] ?? 0) * (fade[i] ?? 1);
    // Master gain 0.6 keeps the peaks below full scale, so no encoder clips.
    voice[i] = 0.6 * (voice[i] ?? 0);
    mix[i] = Math.max(-1, Math.min(1, 0.6 * (music[i] ?? 0) * (fade[i] ?? 1) + (voice[i] ?? 0)));
  }

  const codec = {
    wav: ["-c:a", "pcm_s16le"],
    mp3: ["-c:a", "libmp3lame", "-b:a", "192k"],
    flac: ["-c:a", "flac"],
    m4a: ["-c:a", "aac", "-b:a", "192k"],
    ogg: ["-c:a", "libvorbis", "-q:a", "5"],
  }[spec.format];
  const encode = async (pcm: Float32Array, name: string) => {
    const raw = join(work, `${name}.f32`);
    await writeFile(raw, Buffer.from(pcm.buffer));
    const file = `${name}.${spec.format}`;
    const tmp = join(outDir, `.${file}.tmp.${spec.format}`);
    await run("ffmpeg", [
      ...[
        "-hide_banner",
        "-loglevel",
        "error",
        "-y",
        "-f",
        "f32le",
        "-ar",
        String(SR),
        "-ac",
        "1",
        "-i",
        raw,
      ],
      ...["-ar", String(spec.sampleRate), "-ac", String(spec.channels ?? 1), ...codec, tmp],
    ]);
    await rename(tmp, join(outDir, file));
    return file;
  };
  const file = await encode(mix, spec.id);
  // The backing alone, at the level it has in the mix (`<id>.backing.<format>`): the control without the voice.
  if (spec.backing)
    await encode(
      music.map((x, i) => 0.6 * x * (fade[i] ?? 1)),
      `${spec.id}.backing`,
    );

  const truth = {
    version: 1,
    id: spec.id,
    file,
    duration_s: spec.duration,
    sample_rate: spec.sampleRate,
    format: spec.format,
    language: spec.lang,
    tempo_bpm: spec.tempo.length === 1 ? spec.tempo[0]?.bpm : null,
    tempo_map: spec.tempo,
    meter: spec.tempo.length ? spec.meter : null,
    swing: spec.swing ?? false,
    ...(spec.backing
      ? { backing: spec.backing.source, voice_over_backing_db: spec.backing.voiceOverDb }
      : {}),
    beats_s: beats.map(ms),
    downbeats_s: downbeats.map(ms),
    vocal_intervals_s: vocalTruth(voice).map(([a, b]) => [ms(a), ms(b)]),
    words: words.map((w) => ({ text: w.text, start_s: ms(w.start), end_s: ms(w.end) })),
    lines: lines.map(
      (l): TruthLine => ({
        text: l.text,
        start_s: ms(l.start),
        end_s: ms(l.end),
        section: l.section,
        words: l.words.map((w) => ({ text: w.text, start_s: ms(w.start), end_s: ms(w.end) })),
      }),
    ),
  };
  await writeFile(join(outDir, `${spec.id}.json`), `${JSON.stringify(truth, null, 1)}\n`);
  await writeFile(join(outDir, `${spec.id}.lrc`), `[ti:${spec.id}]\n${toLrc(truthLyrics(truth.lines))}`);
  await writeFile(
    join(outDir, `${spec.id}.suno.json`),
    `${JSON.stringify(truthSunoJson(truth.lines, spec.lang), null, 1)}\n`,
  );
  // As a real alignment comes: edges off by up to 80 ms, one word in 20 not aligned.
  const rough = { seed: spec.id.length * 7919 + spec.duration, jitterS: 0.08, unalignedEvery: 20 };
  await writeFile(
    join(outDir, `${spec.id}.suno-rough.json`),
    `${JSON.stringify(truthSunoJson(truth.lines, spec.lang, rough), null, 1)}\n`,
  );
  return file;
}

export function buildEvalset(outDir: string, only?: (s: SongSpec) => boolean): Promise<string[]> {
  return buildSongs(
    SONGS.filter((s) => !only || only(s)),
    outDir,
  );
}

/** Builds the given songs into `outDir` (audio, `<id>.json` truth, LRC and Suno files); returns the audio files. */
export async function buildSongs(specs: SongSpec[], outDir: string): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  const work = await mkdtemp(join(tmpdir(), "refrain-evalset-"));
  try {
    const shots = await oneShots(work);
    const files: string[] = [];
    // Two at a time: the machine has two cores, and ffmpeg encodes while the next song mixes.
    for (let i = 0; i < specs.length; i += 2) {
      const batch = specs.slice(i, i + 2).map((s) => buildSong(s, outDir, work, shots));
      files.push(...(await Promise.all(batch)));
    }
    return files;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const outDir = resolve(process.argv[2] ?? "bench/out/evalset");
  const t0 = performance.now();
  const files = await buildEvalset(outDir);
  console.log(`built ${files.length} songs in ${((performance.now() - t0) / 1000).toFixed(1)} s → ${outDir}`);
}
