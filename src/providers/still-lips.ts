// Keeping lips still where nobody sings: what an instrumental job sends (a pure decision) and the audio it sends (a media step).
//
// Audio-driven models move the mouth with whatever sound they hear, drums and synths included. For
// an instrumental segment the surest way to keep the mouth closed is to condition on digital
// silence of the same length (the same idea as the kijai wrapper's MultiTalkSilentEmbeds), and to
// say so in the prompt. The master audio is re-muxed later, so the take never carries this silence.
import { runFfmpeg, type Tools } from "../media/index.js";
import type { SegmentKind } from "../plan/types.js";
import type { StillLips } from "./clip.js";

/** What one job sends for its audio and prompt. */
export interface Conditioning {
  /** "song": the job's own audio; "silence": digital silence of the same length. */
  readonly audio: "song" | "silence";
  readonly prompt: string;
}

/** Words added to the prompt of an instrumental segment, so text conditioning agrees with the silence. */
export const INSTRUMENTAL_PROMPT = "mouth closed, not singing, listening to the music, calm breathing";

/** The prompt of an instrumental segment: the user's prompt with the still-lips words added once. Pure. */
export function instrumentalPrompt(prompt: string): string {
  const base = prompt.trim();
  if (base.includes(INSTRUMENTAL_PROMPT)) return base;
  return base ? `${base}, ${INSTRUMENTAL_PROMPT}` : INSTRUMENTAL_PROMPT;
}

/**
 * Decides what a job sends, from its segment kind and how the provider keeps lips still. Pure.
 * Vocal segments always send the song; instrumental ones get the instrumental prompt wherever the
 * provider takes a prompt, and silence where the provider declares "silent-audio".
 */
export function conditioningFor(kind: SegmentKind, stillLips: StillLips, prompt: string): Conditioning {
  if (kind === "vocal" || stillLips === "none") return { audio: "song", prompt };
  return {
    audio: stillLips === "silent-audio" ? "silence" : "song",
    prompt: instrumentalPrompt(prompt),
  };
}

export interface ConditioningAudioOptions {
  /** The job's audio (WAV, any rate). */
  readonly audio: string;
  /** Where to write the WAV to send. */
  readonly out: string;
  readonly silence: boolean;
  /**
   * Pad with silence to at least this many seconds (InfiniteTalk asserts its audio is longer than
   * one window). The padding lies past the frames the job asks for, so it is never seen.
   */
  readonly minSeconds?: number;
  readonly signal?: AbortSignal;
  readonly onCommand?: (line: string) => void;
}

/**
 * Writes the audio a job sends: the song (padded when asked) or silence of exactly the same
 * number of samples at the same rate. Mono 16-bit WAV; video models resample to 16 kHz anyway.
 */
export async function writeConditioningAudio(tools: Tools, options: ConditioningAudioOptions): Promise<void> {
  const filters: string[] = [];
  // volume=0 keeps the sample count and rate of the input exactly, unlike a separately generated
  // anullsrc whose length would be rounded from float seconds.
  if (options.silence) filters.push("volume=0");
  if (options.minSeconds !== undefined) filters.push(`apad=whole_dur=${options.minSeconds.toFixed(6)}`);
  await runFfmpeg(
    tools,
    [
      "-i",
      options.audio,
      "-vn",
      ...(filters.length > 0 ? ["-af", filters.join(",")] : []),
      "-ac",
      "1",
      "-c:a",
      "pcm_s16le",
      "-f",
      "wav",
      options.out,
    ],
    { signal: options.signal, onCommand: options.onCommand },
  );
}
