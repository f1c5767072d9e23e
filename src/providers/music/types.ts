// The music-provider interface: a song request is submit → poll → fetch, each request yielding one or more songs.
import type { JobState, PriceModel, Submitted } from "../clip.js";

/** What a song is made from: the lyrics file's body and header, in the API-neutral words of the writer. */
export interface SongRequest {
  readonly lyrics: string;
  readonly style: string;
  readonly title: string;
  readonly exclude?: string;
  readonly vocalGender?: "m" | "f";
  readonly weirdness?: number;
  readonly styleWeight?: number;
  readonly instrumental?: boolean;
  /** Seconds, for models that need a length (ACE-Step); others decide themselves. */
  readonly durationS?: number;
  readonly seed?: number;
}

/** One song of a request, as the provider reports it while it works. */
export interface SongInfo {
  readonly id: string;
  readonly title?: string;
  readonly durationS?: number;
  /** Whether its audio can be downloaded now. */
  readonly ready: boolean;
}

export interface MusicStatus {
  readonly state: JobState;
  readonly songs: readonly SongInfo[];
  readonly reason?: string;
  readonly progress?: number;
}

export interface MusicProvider {
  readonly name: string;
  readonly model: string;
  /** Price of one request (all its songs). */
  readonly price: PriceModel;
  readonly paid: boolean;
  /** Songs one request makes (Suno: 2; ACE-Step: batch_size). */
  readonly songsPerRequest: number;
  submit(request: SongRequest, signal?: AbortSignal): Promise<Submitted>;
  poll(remoteId: string, signal?: AbortSignal): Promise<MusicStatus>;
  /** Writes one song's audio to `dest` (the extension tells its type: .mp3, .wav). */
  fetchSong(remoteId: string, songId: string, dest: string, signal?: AbortSignal): Promise<void>;
  /** Suno's aligned words for a song, as the API returned them (the lyric parser reads them), or null. */
  alignedWords?(remoteId: string, songId: string, signal?: AbortSignal): Promise<unknown | null>;
  /** The audio file extension fetchSong writes. */
  readonly audioExtension: string;
  /** Stem separation of one made song, when the API offers it (sunoapi.org's vocal-removal). */
  readonly stems?: StemSeparator;
}

/** Two stems (vocals + instrumental) or the full split (up to 12 instruments), in sunoapi.org's words. */
export type StemType = "separate_vocal" | "split_stem";
export const STEM_TYPES: readonly StemType[] = ["separate_vocal", "split_stem"];

export interface StemsStatus {
  readonly state: JobState;
  /** Stem name (vocal, instrumental, drums…) → download link, once ready. */
  readonly stems: Readonly<Record<string, string>>;
  readonly reason?: string;
}

/** A paid separation of one song into stems: submit → poll → fetch each stem. */
export interface StemSeparator {
  /** Price of one separation of this type. */
  price(type: StemType): number;
  submit(remoteId: string, songId: string, type: StemType, signal?: AbortSignal): Promise<Submitted>;
  poll(stemsRemoteId: string, signal?: AbortSignal): Promise<StemsStatus>;
  fetch(url: string, dest: string, signal?: AbortSignal): Promise<void>;
}
