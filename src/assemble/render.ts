// Rendering a timeline to a video file: every frame encoded once, in one graph or in bounded chunks joined by copy.
import { constants } from "node:fs";
import { access, mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { throwIfAborted, UserInputError } from "../errors/index.js";
import { checkCanWrite, withTempOutput } from "../files/index.js";
import { runFfmpeg, type Tools, watchFfmpegMemory } from "../media/index.js";
import { rateToNumber } from "../time/index.js";
import {
  audioArgs,
  buildRenderGraph,
  framesToSecondsText,
  graphArgs,
  planChunks,
  type RenderSettings,
  validateRender,
} from "./filtergraph.js";
import type { Timeline } from "./timeline.js";

export interface RenderOptions {
  readonly signal?: AbortSignal;
  /** Fraction of the output's frames encoded so far, 0…1. */
  readonly onProgress?: (fraction: number) => void;
  /** Each exact ffmpeg command line before it runs (for --verbose). */
  readonly onCommand?: (commandLine: string) => void;
  /**
   * Clips per chunk. Each chunk is one ffmpeg graph holding only its clips' decoders, so memory stays
   * bounded however long the song; chunks are joined by stream copy. Default 6 (see docs/bench/render.md).
   */
  readonly clipsPerChunk?: number;
}

export interface RenderResult {
  readonly frames: number;
  readonly durationS: number;
  /** Most memory the render's ffmpeg processes held at once, MiB (Linux only; see watchFfmpegMemory). */
  readonly peakMemoryMiB?: number;
}

export const DEFAULT_CLIPS_PER_CHUNK = 6;

/** Every file the render reads must be there and readable, checked before ffmpeg starts. */
async function checkInputs(timeline: Timeline, settings: RenderSettings): Promise<void> {
  const readable = async (file: string, what: string) => {
    try {
      await access(file, constants.R_OK);
      const s = await stat(file);
      if (!s.isFile()) throw new Error("not a file");
      if (s.size === 0) throw new Error("empty");
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const why =
        code === "ENOENT" ? "no such file" : code ? `cannot read it (${code})` : (e as Error).message;
      throw new UserInputError(`${what} ${file}: ${why}`, { file, hint: "check the path", cause: e });
    }
  };
  for (const item of timeline.tracks[0]!.children) {
    if (item.kind === "clip") await readable(item.mediaPath, `segment ${item.segment}: take ${item.takeId}`);
  }
  await readable(timeline.audio.path, "song");
  if (settings.burnSubtitles && settings.subtitlesPath) await readable(settings.subtitlesPath, "subtitles");
}

/** A concat-demuxer list line; single quotes in a path are closed, escaped and reopened. */
export function concatListLine(file: string): string {
  return `file '${file.replaceAll("'", `'\\''`)}'`;
}

/**
 * Renders the timeline to `outPath` (an .mp4): H.264 + AAC, the master song as the only audio,
 * exactly `timeline.durationFrames` frames. The file appears only when complete.
 */
export async function renderTimeline(
  tools: Tools,
  timeline: Timeline,
  settings: RenderSettings,
  outPath: string,
  options: RenderOptions = {},
): Promise<RenderResult> {
  const { signal, onProgress, onCommand } = options;
  validateRender(timeline, settings);
  const chunks = planChunks(timeline, options.clipsPerChunk ?? DEFAULT_CLIPS_PER_CHUNK);
  // Build every graph now, so a bad combination fails before any ffmpeg starts.
  const graphs = chunks.map((c) =>
    buildRenderGraph(timeline, settings, chunks.length === 1 ? {} : { from: c.from, to: c.to, audio: false }),
  );
  await checkInputs(timeline, settings);
  await checkCanWrite(outPath, "the video");
  throwIfAborted(signal);

  const total = timeline.durationFrames;
  let done = 0;
  const progressOf = (frame: number) => onProgress?.(Math.min(1, (done + frame) / total));
  const memory = watchFfmpegMemory();
  let peakMemoryMiB: number | undefined;
  try {
    await withTempOutput(outPath, async (tmp) => {
      if (graphs.length === 1) {
        await runFfmpeg(tools, graphArgs(graphs[0]!, tmp), {
          signal,
          onCommand,
          onProgress: (p) => progressOf(p.frame),
        });
        return;
      }
      // Beside the output, not in /tmp: chunks of a long song are as big as the video, and /tmp may be small.
      const dir = await mkdtemp(join(dirname(outPath), ".refrain-chunks-"));
      // The master audio is encoded once, beside the chunks, in its own process: it fills the cores
      // while x264 starts and drains each chunk, and the join then only copies packets.
      const audioFile = join(dir, "audio.m4a");
      const stopAudio = new AbortController();
      const audioSignal = signal ? AbortSignal.any([signal, stopAudio.signal]) : stopAudio.signal;
      const audio = runFfmpeg(
        tools,
        ["-i", timeline.audio.path, "-map", "0:a:0", "-vn", ...audioArgs(settings), audioFile],
        { signal: audioSignal, onCommand },
      );
      // Settled now, awaited below: a failing chunk must not leave the audio's rejection unhandled.
      audio.catch(() => {});
      try {
        const files: string[] = [];
        for (const [i, graph] of graphs.entries()) {
          const file = join(dir, `chunk-${String(i).padStart(4, "0")}.mp4`);
          await runFfmpeg(tools, graphArgs(graph, file), {
            signal,
            onCommand,
            onProgress: (p) => progressOf(p.frame),
          });
          done += graph.frames;
          files.push(file);
        }
        await audio;
        const list = join(dir, "chunks.txt");
        // Each chunk's exact duration: otherwise the demuxer takes the mp4's millisecond duration and
        // the next chunk's timestamps slip by a fraction of a frame.
        const lines = files.map(
          (f, i) => `${concatListLine(f)}\nduration ${framesToSecondsText(graphs[i]!.frames, timeline.rate)}`,
        );
        await writeFile(list, `${lines.join("\n")}\n`);
        await runFfmpeg(
          tools,
          [
            "-f",
            "concat",
            "-safe",
            "0",
            "-i",
            list,
            "-i",
            audioFile,
            "-map",
            "0:v:0",
            "-map",
            "1:a:0",
            "-c",
            "copy",
            "-movflags",
            "+faststart",
            tmp,
          ],
          { signal, onCommand },
        );
      } finally {
        stopAudio.abort();
        await audio.catch(() => {});
        await rm(dir, { recursive: true, force: true });
      }
    });
  } finally {
    peakMemoryMiB = memory.stop();
  }
  onProgress?.(1);
  return {
    frames: total,
    durationS: total / rateToNumber(timeline.rate),
    ...(peakMemoryMiB !== undefined ? { peakMemoryMiB } : {}),
  };
}
