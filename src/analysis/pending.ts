// Stand-ins for the rhythm and lyrics modules until they land; same signatures, no beats, no lyrics.
import { UserInputError } from "../errors/index.js";
import type { Lyrics, Span } from "./types.js";

export interface RhythmResult {
  tempoBpm: number | null;
  beats: number[];
  downbeats: number[];
  meter: number | null;
  steady: boolean;
  warnings: string[];
}

export function analyzeRhythm(_samples: Float32Array, _sampleRate: number): RhythmResult {
  return {
    tempoBpm: null,
    beats: [],
    downbeats: [],
    meter: null,
    steady: false,
    warnings: ["beat tracking is not available yet"],
  };
}

export function parseLyrics(
  _text: string | Uint8Array,
  fileName: string,
  _options: { durationSamples: number },
): Lyrics {
  throw new UserInputError(`lyrics ${fileName}: lyric files are not supported yet`, { file: fileName });
}

export function placePlainLyrics(lyrics: Lyrics, _vocal: readonly Span[], _durationSamples: number): Lyrics {
  return lyrics;
}

export function vocalFromLyrics(lyrics: Lyrics): Span[] {
  return lyrics.lines.map((l) => ({ start: l.start, end: l.end }));
}
