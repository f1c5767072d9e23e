// Hand-built Analysis values for planner tests and benchmarks: a small builder and a seeded "realistic song".
import type { Analysis, LyricLine, Section, Span, Word } from "../analysis/types.js";
import { seededRandom } from "../testing/index.js";
import { SAMPLE_RATE, secondsToSamples } from "../time/index.js";

const at = secondsToSamples;

/** Builds an Analysis in seconds, converting each time once to samples. */
export class SongBuilder {
  private tempo: number | null = null;
  private beatList: number[] = [];
  private downbeatList: number[] = [];
  private meterValue: number | null = null;
  private readonly lines: LyricLine[] = [];
  private readonly sections: Section[] = [];
  private readonly vocalSpans: Span[] = [];

  constructor(private readonly seconds: number) {}

  /** A steady beat from `offsetS`, every `meter`-th one a downbeat. */
  beats(bpm: number, options: { offsetS?: number; meter?: number } = {}): this {
    const meter = options.meter ?? 4;
    const period = 60 / bpm;
    this.tempo = bpm;
    this.meterValue = meter;
    this.beatList = [];
    this.downbeatList = [];
    for (
      let k = 0, t = options.offsetS ?? 0;
      t < this.seconds;
      k++, t = (options.offsetS ?? 0) + k * period
    ) {
      this.beatList.push(at(t));
      if (k % meter === 0) this.downbeatList.push(at(t));
    }
    return this;
  }

  /** A line with word timings: `words` as [text, startS, endS]. */
  line(text: string, words: readonly (readonly [string, number, number])[], section?: string): this {
    const ws: Word[] = words.map(([t, s, e]) => ({ text: t, start: at(s), end: at(e) }));
    this.lines.push({
      text,
      start: ws[0]!.start,
      end: ws[ws.length - 1]!.end,
      words: ws,
      ...(section ? { section } : {}),
    });
    return this;
  }

  /** A line sung from startS to endS as `count` equal words with `gapS` between them. */
  sung(startS: number, endS: number, count = 4, gapS = 0.05): this {
    const each = (endS - startS - gapS * (count - 1)) / count;
    const words: [string, number, number][] = [];
    for (let i = 0; i < count; i++) {
      const s = startS + i * (each + gapS);
      words.push([`w${this.lines.length}.${i}`, s, i === count - 1 ? endS : s + each]);
    }
    return this.line(words.map((w) => w[0]).join(" "), words);
  }

  /** A line with only line timing (plain LRC), no words. */
  plainLine(text: string, startS: number, endS: number): this {
    this.lines.push({ text, start: at(startS), end: at(endS) });
    return this;
  }

  section(name: string, startS: number, endS: number, kind = name.toLowerCase()): this {
    this.sections.push({ name, kind, start: at(startS), end: at(endS) });
    return this;
  }

  /** Detected voice (used when there are no lyrics). */
  vocal(startS: number, endS: number): this {
    this.vocalSpans.push({ start: at(startS), end: at(endS) });
    return this;
  }

  build(): Analysis {
    const hasLyrics = this.lines.length > 0 || this.sections.length > 0;
    const vocal =
      this.vocalSpans.length > 0 ? this.vocalSpans : this.lines.map((l) => ({ start: l.start, end: l.end }));
    return {
      sampleRate: SAMPLE_RATE,
      durationSamples: at(this.seconds),
      tempoBpm: this.tempo,
      beats: this.beatList,
      downbeats: this.downbeatList,
      meter: this.meterValue,
      vocal,
      vocalSource: this.vocalSpans.length > 0 ? "vad" : "lyrics",
      ...(hasLyrics
        ? {
            lyrics: {
              lines: this.lines,
              sections: this.sections,
              estimated: false,
              format: "lrc-enhanced",
              warnings: [],
            },
          }
        : {}),
      warnings: [],
    };
  }
}

export function song(seconds: number): SongBuilder {
  return new SongBuilder(seconds);
}

export interface RealisticSongOptions {
  seconds?: number;
  /** null: no steady beat. */
  bpm?: number | null;
  seed?: number;
  /** Word timings (default) or only line timings. */
  words?: boolean;
}

/**
 * A pop song's shape: 8 s instrumental intro, verses and choruses with a line starting every 3–5 s
 * (words 0.15–0.6 s with short breaths between), a 12 s instrumental break, a 10 s outro.
 */
export function realisticSong(options: RealisticSongOptions = {}): Analysis {
  const seconds = options.seconds ?? 180;
  const random = seededRandom(options.seed ?? 1);
  const b = song(seconds);
  const bpm = options.bpm === undefined ? 118 : options.bpm;
  if (bpm !== null) b.beats(bpm, { offsetS: 0.37 });
  const breakStart = Math.round(seconds * 0.5);
  const parts: [string, number, number][] = [["Intro", 0, 8]];
  const sungParts: [number, number][] = [
    [8, breakStart],
    [breakStart + 12, seconds - 10],
  ];
  let t = 8;
  let section = 0;
  for (const [from, to] of sungParts) {
    t = from + 0.5;
    let sectionStart = from;
    while (t < to - 3) {
      const lineLength = 2.4 + random() * 1.6;
      const end = Math.min(t + lineLength, to - 0.5);
      const words: [string, number, number][] = [];
      let w = t;
      while (w < end - 0.15) {
        const len = Math.min(0.15 + random() * 0.45, end - w);
        words.push([`la${words.length}`, w, w + len]);
        w += len + 0.02 + random() * 0.08;
      }
      if (options.words === false) b.plainLine(`line at ${t.toFixed(2)}`, t, words[words.length - 1]![2]);
      else b.line(`line at ${t.toFixed(2)}`, words);
      t = end + 0.35 + random() * 0.9;
      if (t - sectionStart > 25) {
        parts.push([section % 2 === 0 ? "Verse" : "Chorus", sectionStart, t - 0.2]);
        sectionStart = t - 0.2;
        section++;
      }
    }
    parts.push([section % 2 === 0 ? "Verse" : "Chorus", sectionStart, to]);
    section++;
  }
  parts.push(["Instrumental", breakStart, breakStart + 12], ["Outro", seconds - 10, seconds]);
  for (const [name, s, e] of parts.sort((x, y) => x[1] - y[1])) b.section(name, s, e);
  return b.build();
}
