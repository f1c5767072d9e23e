// What refrain knows about a song after analysis. All positions are integer samples at 48 kHz.

/** A half-open interval of samples [start, end). */
export interface Span {
  readonly start: number;
  readonly end: number;
}

export interface Word extends Span {
  readonly text: string;
  /** Sung inside parentheses: Suno's convention for backing vocals. */
  readonly backing?: boolean;
}

export interface LyricLine extends Span {
  readonly text: string;
  /** Word timings when the source had them (enhanced LRC, Suno aligned words). */
  readonly words?: readonly Word[];
  /** The section this line belongs to, from a meta-tag such as [Chorus]. */
  readonly section?: string;
  /**
   * Parts of `text` written in parentheses (Suno's backing vocals), as [from, to) character offsets
   * that include the parentheses. A range covering the whole text means a backing-only line.
   */
  readonly backing?: readonly (readonly [number, number])[];
}

export interface Section extends Span {
  /** The tag as written, e.g. "Chorus - anthemic". */
  readonly name: string;
  /** Normalised kind: verse, chorus, bridge, intro, outro, instrumental, … */
  readonly kind: string;
}

export interface Lyrics {
  readonly lines: readonly LyricLine[];
  readonly sections: readonly Section[];
  /** True when times were estimated (plain lyrics placed into detected vocal intervals). */
  readonly estimated: boolean;
  /** Which format the timings came from: lrc, lrc-enhanced, srt, suno, plain. */
  readonly format: string;
  /** Lines skipped with a reason, e.g. "song.lrc:12: no time tag". */
  readonly warnings: readonly string[];
}

export interface Analysis {
  /** Sample rate of every position below (always 48 kHz). */
  readonly sampleRate: number;
  readonly durationSamples: number;
  /** Tempo in BPM, or null where the song has no steady beat (a cappella, rubato). */
  readonly tempoBpm: number | null;
  readonly beats: readonly number[];
  readonly downbeats: readonly number[];
  /** Beats per bar the tracker settled on (3 or 4), when there is a beat. */
  readonly meter: number | null;
  /** Where the voice sings, merged and sorted. */
  readonly vocal: readonly Span[];
  /** How the vocal intervals were found: "lyrics", "vad" or "energy". */
  readonly vocalSource: string;
  readonly lyrics?: Lyrics;
  /** Things the analysis assumed that a user should know (e.g. "no steady beat: cutting on pauses"). */
  readonly warnings: readonly string[];
}
