// Measuring one take against the master: its audio offset, its blank or frozen head and tail, its length.
import { MediaError, UserInputError } from "../errors/index.js";
import { decodeMono, probe, runTool, type Tools } from "../media/index.js";
import { framesToSamples, type Rate, rateToNumber, SAMPLE_RATE } from "../time/index.js";
import { crossCorrelate } from "./correlate.js";
import {
  blackRuns,
  freezeRuns,
  headTailFrames,
  mergeRuns,
  parseFrameMetadata,
  stillHeadTail,
} from "./detect.js";

/** What `measureTake` found in one generated clip. */
export interface TakeSync {
  /**
   * How late the take's content runs against the master, in master samples (48 kHz), from
   * cross-correlating the take's own audio track with the master: positive = starts late.
   * Null when the take has no audio (or it is silent): then trust the take as generated.
   */
  readonly offsetSamples: number | null;
  /** Normalised correlation at the best offset, 0…1 (0 when there was no audio to compare). */
  readonly confidence: number;
  readonly headFrozenFrames: number;
  readonly tailFrozenFrames: number;
  readonly headBlackFrames: number;
  readonly tailBlackFrames: number;
  /** Video frames decoded from the take. */
  readonly frames: number;
  /** How long the take's video lasts, in master samples. */
  readonly durationSamples: number;
  /** The take's picture size (absent in measurements made before it was recorded). */
  readonly width?: number;
  readonly height?: number;
}

/** Where the take's audio came from in the master song, in master samples. */
export interface MasterAudio {
  readonly path: string;
  /** Where the take's first frame should be in the master (the job's audio start). */
  readonly startSample: number;
  readonly lengthSamples: number;
}

export interface MeasureOptions {
  /** The take's frame rate (the provider's fps). */
  readonly rate: Rate;
  /** How far to search either way, in master samples (default 2 s). */
  readonly maxLagSamples?: number;
  /** freezedetect noise tolerance (mean absolute difference, 0…1; default 0.001 = −60 dB). */
  readonly freezeNoise?: number;
  /** blackdetect's pixel threshold (default 0.1). */
  readonly blackPixel?: number;
  readonly signal?: AbortSignal;
}

/** Audio for correlation: low enough to be quick, fine enough for a sub-millisecond peak. */
const CORRELATION_RATE = 8_000;
const DOWN = SAMPLE_RATE / CORRELATION_RATE;

/** The filter chain that tags every frame and prints freezedetect/blackdetect metadata to stdout. */
export function detectFilter(rate: Rate, freezeNoise = 0.001, blackPixel = 0.1): string {
  // A freeze must hold for more than one frame: freezedetect marks every single frame as a
  // "freeze" when its minimum duration is one frame.
  const minFreeze = (1.5 / rateToNumber(rate)).toFixed(4);
  return [
    `freezedetect=n=${freezeNoise}:d=${minFreeze}`,
    `blackdetect=d=0:pix_th=${blackPixel}`,
    "metadata=mode=add:key=refrain.frame:value=1",
    "metadata=mode=print:file=-",
  ].join(",");
}

/** The filter chain that prints the frames mpdecimate keeps: each differs visibly from the last one kept. */
export const STILL_FILTER =
  "mpdecimate,metadata=mode=add:key=refrain.kept:value=1,metadata=mode=print:file=-";

/** The per-frame metadata a video filter chain prints (`metadata=mode=print:file=-`), in one pass. */
async function printedFrames(tools: Tools, takePath: string, filter: string, signal?: AbortSignal) {
  const { stdout } = await runTool(
    tools.ffmpeg,
    [
      "-hide_banner",
      "-nostdin",
      "-loglevel",
      "error",
      "-i",
      takePath,
      "-map",
      "0:v:0",
      "-vf",
      filter,
      "-f",
      "null",
      "-",
    ],
    { captureStdout: true, signal },
  );
  return parseFrameMetadata(stdout.toString("utf8"));
}

/** Measures a take: see `TakeSync`. Reads the file three times (two video passes, audio decode); never writes. */
export async function measureTake(
  tools: Tools,
  takePath: string,
  masterAudio: MasterAudio,
  options: MeasureOptions,
): Promise<TakeSync> {
  const { signal } = options;
  const info = await probe(tools, takePath, "take", signal);
  if (!info.video) {
    throw new UserInputError(`take ${takePath} has no video stream`, {
      file: takePath,
      hint: "the provider returned audio or an image, not a clip; generate the take again",
    });
  }
  const frameList = await printedFrames(
    tools,
    takePath,
    detectFilter(options.rate, options.freezeNoise, options.blackPixel),
    signal,
  );
  if (frameList.length === 0) {
    throw new MediaError(`take ${takePath}: ffmpeg decoded no video frames`, {
      hint: "the file is probably truncated; generate the take again",
    });
  }
  const frameS = 1 / rateToNumber(info.video.rate);
  // A frame is frozen only when both tests agree. freezedetect compares whole-frame means, so a
  // picture where only a mouth or a small object moves reads as frozen; mpdecimate looks for any
  // 8×8 block that changed, so a slow drift it compares against an older frame reads as still.
  const byMean = headTailFrames(frameList, mergeRuns(freezeRuns(frameList), 1.5 * frameS), 2);
  // mpdecimate's dropped frames print nothing, so it runs in a pass of its own: the times it keeps.
  const kept = (await printedFrames(tools, takePath, STILL_FILTER, signal)).map((f) => f.ptsTime);
  const byBlock = stillHeadTail(frameList, kept);
  const frozen = { head: Math.min(byMean.head, byBlock.head), tail: Math.min(byMean.tail, byBlock.tail) };
  const black = headTailFrames(frameList, blackRuns(frameList), 1);

  let offsetSamples: number | null = null;
  let confidence = 0;
  if (info.audio) {
    const maxLag = options.maxLagSamples ?? 2 * SAMPLE_RATE;
    const take = await decodeMono(tools, takePath, { sampleRate: CORRELATION_RATE, signal });
    const lead = Math.min(maxLag, masterAudio.startSample);
    const from = masterAudio.startSample - lead;
    const length = lead + Math.max(masterAudio.lengthSamples, take.length * DOWN) + maxLag;
    const master = await decodeMono(tools, masterAudio.path, {
      sampleRate: CORRELATION_RATE,
      startSample: from / DOWN,
      lengthSamples: length / DOWN,
      signal,
    });
    const found = crossCorrelate(take, master, Math.round(lead / DOWN), Math.round(maxLag / DOWN));
    if (found) {
      offsetSamples = Math.round(found.lag * DOWN);
      confidence = found.confidence;
    }
  }
  return {
    offsetSamples,
    confidence,
    headFrozenFrames: frozen.head,
    tailFrozenFrames: frozen.tail,
    headBlackFrames: black.head,
    tailBlackFrames: black.tail,
    frames: frameList.length,
    durationSamples: framesToSamples(frameList.length, info.video.rate),
    width: info.video.width,
    height: info.video.height,
  };
}
