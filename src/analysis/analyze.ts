// The analysis entry point: a song file (and optional lyric timings) in, one Analysis out.
import { readFile } from "node:fs/promises";
import { throwIfAborted, UserInputError } from "../errors/index.js";
import { decodeMono, probeAudio, type Tools } from "../media/index.js";
import { roundSeconds, SAMPLE_RATE, samplesToSeconds } from "../time/index.js";
import { parseLyrics, placePlainLyrics, vocalFromLyrics } from "./lyrics/index.js";
import { analyzeRhythm, type Rhythm } from "./rhythm/index.js";
import type { Analysis, Lyrics, Span } from "./types.js";
import { detectVoice, estimateVoiceByEnergy, type VoiceResult } from "./voice/index.js";

export interface AnalyzeSongOptions {
  /** LRC, enhanced LRC, SRT, Suno aligned words or plain text. */
  lyricsPath?: string;
  signal?: AbortSignal;
  /** Receives each ffmpeg/ffprobe command line before it runs (for --verbose). */
  onCommand?: (line: string) => void;
  /** Receives each warning as it is found, besides Analysis.warnings. */
  warn?: (msg: string) => void;
}

/** Below this peak (−60 dBFS) a song has nothing to analyse. */
const SILENT_PEAK = 0.001;

/** Lyrics whose lines carry real times (not plain text waiting to be placed). */
function isTimed(lyrics: Lyrics): boolean {
  return lyrics.format !== "plain" && lyrics.lines.length > 0;
}

function combine(
  samples: Float32Array,
  rhythm: Rhythm,
  lyrics: Lyrics | undefined,
  voice: VoiceResult | undefined,
): Analysis {
  const durationSamples = samples.length;
  const warnings = [...rhythm.warnings];
  let vocal: Span[];
  let vocalSource: string;
  let placed = lyrics;
  if (lyrics && isTimed(lyrics)) {
    vocal = vocalFromLyrics(lyrics);
    vocalSource = "lyrics";
  } else {
    const v = voice ?? estimateVoiceByEnergy(samples);
    vocal = [...v.spans];
    vocalSource = v.source;
    warnings.push(...v.warnings);
    if (lyrics) placed = placePlainLyrics(lyrics, vocal, durationSamples);
  }
  if (placed) warnings.push(...placed.warnings);
  return {
    sampleRate: SAMPLE_RATE,
    durationSamples,
    tempoBpm: rhythm.tempoBpm,
    beats: rhythm.beats,
    downbeats: rhythm.downbeats,
    meter: rhythm.meter,
    vocal,
    vocalSource,
    ...(placed ? { lyrics: placed } : {}),
    warnings,
  };
}

/**
 * Analyses decoded 48 kHz mono samples. Pure: the voice result (from detectVoice) and parsed
 * lyrics are passed in; without either, vocal intervals come from the energy estimate.
 */
export function analyzeSamples(
  samples: Float32Array,
  inputs: { lyrics?: Lyrics; voice?: VoiceResult } = {},
): Analysis {
  return combine(samples, analyzeRhythm(samples, SAMPLE_RATE), inputs.lyrics, inputs.voice);
}

function peak(samples: Float32Array): number {
  let p = 0;
  for (let i = 0; i < samples.length; i++) {
    const a = Math.abs(samples[i] ?? 0);
    if (a > p) p = a;
  }
  return p;
}

async function readLyrics(path: string, durationSamples: number): Promise<Lyrics> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserInputError(
      `lyrics ${path}: ${code === "ENOENT" ? "no such file" : `cannot read it (${code})`}`,
      {
        file: path,
        hint: "check the path",
        cause: e,
      },
    );
  }
  return parseLyrics(bytes, path, { durationSamples });
}

/**
 * Reads a song (any format ffmpeg decodes), decodes it once to mono 48 kHz, and finds its beats,
 * where the voice sings and, given a lyrics file, its lines, words and sections.
 */
export async function analyzeSong(
  tools: Tools,
  songPath: string,
  options: AnalyzeSongOptions = {},
): Promise<{ analysis: Analysis; samples: Float32Array }> {
  const { signal, onCommand } = options;
  await probeAudio(tools, songPath, signal);
  const samples = await decodeMono(tools, songPath, { signal, onCommand });
  if (samples.length === 0 || peak(samples) < SILENT_PEAK) {
    throw new UserInputError(`song ${songPath} is silent`, {
      file: songPath,
      hint: "check that the file is the finished song and not muted or empty",
    });
  }
  throwIfAborted(signal);
  const lyrics = options.lyricsPath ? await readLyrics(options.lyricsPath, samples.length) : undefined;
  // The voice detector runs in worker threads while the beat tracker runs here.
  const voicePromise = lyrics && isTimed(lyrics) ? undefined : detectVoice(samples, { signal });
  // Keep a rejected promise from being reported as unhandled while the tracker runs.
  voicePromise?.catch(() => {});
  let rhythm: Rhythm;
  try {
    rhythm = analyzeRhythm(samples, SAMPLE_RATE, { signal });
  } catch (e) {
    await voicePromise?.catch(() => {});
    throw e;
  }
  const voice = voicePromise ? await voicePromise : undefined;
  throwIfAborted(signal);
  const analysis = combine(samples, rhythm, lyrics, voice);
  for (const w of analysis.warnings) options.warn?.(w);
  return { analysis, samples };
}

const s = (samples: number): number => roundSeconds(samplesToSeconds(samples));

/** The analysis as the CLI prints it with --json: seconds rounded to milliseconds. */
export function analysisToJson(a: Analysis): Record<string, unknown> {
  const lines = a.lyrics?.lines ?? [];
  return {
    duration_s: s(a.durationSamples),
    sample_rate: a.sampleRate,
    tempo_bpm: a.tempoBpm === null ? null : Math.round(a.tempoBpm * 100) / 100,
    meter: a.meter,
    beats_s: a.beats.map(s),
    downbeats_s: a.downbeats.map(s),
    vocal_source: a.vocalSource,
    vocal_intervals_s: a.vocal.map((v) => [s(v.start), s(v.end)]),
    words: lines.flatMap((l) =>
      (l.words ?? []).map((w) => ({ text: w.text, start_s: s(w.start), end_s: s(w.end) })),
    ),
    lines: lines.map((l) => ({
      text: l.text,
      start_s: s(l.start),
      end_s: s(l.end),
      section: l.section ?? null,
    })),
    sections: (a.lyrics?.sections ?? []).map((x) => ({
      name: x.name,
      kind: x.kind,
      start_s: s(x.start),
      end_s: s(x.end),
    })),
    lyrics_estimated: a.lyrics?.estimated ?? false,
    warnings: [...a.warnings],
  };
}
