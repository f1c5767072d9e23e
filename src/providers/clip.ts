// The clip-provider interface: every audio-driven video backend is submit → poll → fetch → cancel.
import type { ClipConstraints, SegmentKind } from "../plan/types.js";

/** How a provider charges, as data: `refrain estimate` prices a plan from this alone. */
export type PriceModel =
  | { readonly kind: "free" }
  /** Per second of video produced (hosted APIs), optionally by resolution tier. */
  | {
      readonly kind: "per-video-second";
      readonly usd: number;
      readonly byResolution?: Readonly<Record<string, number>>;
    }
  /** A flat price per job. */
  | { readonly kind: "per-job"; readonly usd: number }
  /** Rented GPU time: price per GPU-second × expected GPU-seconds per second of video. */
  | { readonly kind: "per-gpu-second"; readonly usd: number; readonly gpuSecondsPerVideoSecond: number };

/** How a provider keeps lips still where nobody sings. */
export type StillLips = "silent-audio" | "prompt" | "none";

/** Everything one generation attempt needs. Paths are local files the provider may upload. */
export interface ClipJob {
  /** Client token for this attempt: unique, stable across restarts; used for de-duplication. */
  readonly token: string;
  readonly segment: number;
  readonly kind: SegmentKind;
  /** The key image. */
  readonly image: string;
  /** The audio for the clip: master audio of the segment with its handles, WAV. */
  readonly audio: string;
  /** Frames to produce (already fitted to the frame rule) at `constraints.fps`. */
  readonly frames: number;
  readonly width: number;
  readonly height: number;
  readonly seed: number;
  readonly prompt: string;
  /** Seconds of the job's audio, for providers that want a duration rather than frames. */
  readonly audioSeconds: number;
  /** Beat times in seconds from the start of the job's audio: a hint for providers that move on the beat. */
  readonly beatsS?: readonly number[];
}

export type JobState = "queued" | "running" | "succeeded" | "failed" | "cancelled";

export interface JobStatus {
  readonly state: JobState;
  /** 0…1 when the provider reports it. */
  readonly progress?: number;
  /** Position in the provider's queue, when it says. */
  readonly queuePosition?: number;
  /** Why it failed, in the provider's words. */
  readonly reason?: string;
  /** Actual cost when the provider reports it (USD). */
  readonly costUsd?: number;
}

export interface Submitted {
  readonly remoteId: string;
}

/** A remote job found by its client token after a crash. */
export interface FoundJob {
  readonly remoteId: string;
  readonly status: JobStatus;
}

export interface ClipProvider {
  /** Provider kind, e.g. "local", "comfyui", "fal". */
  readonly name: string;
  /** Model or workflow identity, recorded on each take (e.g. "infinitetalk"). */
  readonly model: string;
  readonly constraints: ClipConstraints;
  /** Jobs this endpoint runs at once. */
  readonly concurrency: number;
  readonly price: PriceModel;
  readonly stillLips: StillLips;
  /** Whether submitting costs money: the engine commits an intent row before such a submit. */
  readonly paid: boolean;

  submit(job: ClipJob, signal?: AbortSignal): Promise<Submitted>;
  poll(remoteId: string, signal?: AbortSignal): Promise<JobStatus>;
  /** Writes the finished video to `dest`. */
  fetch(remoteId: string, dest: string, signal?: AbortSignal): Promise<void>;
  cancel(remoteId: string): Promise<void>;
  /**
   * Looks a job up by the client token it was submitted with, where the API allows
   * (ComfyUI's client-chosen prompt_id). Undefined when the API cannot: such a job is "uncertain".
   */
  lookup?(token: string, signal?: AbortSignal): Promise<FoundJob | null>;
  /** Releases sockets and processes. */
  close?(): Promise<void>;
}

/** Estimated cost of producing `videoSeconds` of video with a price model. */
export function estimateCost(price: PriceModel, videoSeconds: number, resolution?: string): number {
  switch (price.kind) {
    case "free":
      return 0;
    case "per-job":
      return price.usd;
    case "per-video-second":
      return ((resolution && price.byResolution?.[resolution]) || price.usd) * videoSeconds;
    case "per-gpu-second":
      return price.usd * price.gpuSecondsPerVideoSecond * videoSeconds;
  }
}
