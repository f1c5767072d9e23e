// What a media file holds, read with ffprobe, and decoding audio to PCM samples.
import { constants } from "node:fs";
import { access, stat } from "node:fs/promises";
import { MediaError, UserInputError } from "../errors/index.js";
import { type Rate, SAMPLE_RATE, toRate } from "../time/index.js";
import { runFfmpeg, runTool } from "./run.js";
import type { Tools } from "./tools.js";

export interface AudioStreamInfo {
  codec: string;
  sampleRate: number;
  channels: number;
}

export interface VideoStreamInfo {
  codec: string;
  width: number;
  height: number;
  rate: Rate;
  /** Frame count when the container states it. */
  frames?: number;
}

export interface MediaInfo {
  file: string;
  format: string;
  durationS: number;
  audio?: AudioStreamInfo;
  video?: VideoStreamInfo;
  /** True for a still image (a single-frame "video" stream). */
  isImage: boolean;
}

interface FfprobeStream {
  codec_type?: string;
  codec_name?: string;
  sample_rate?: string;
  channels?: number;
  width?: number;
  height?: number;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  nb_frames?: string;
  disposition?: { attached_pic?: number };
}

interface FfprobeOutput {
  streams?: FfprobeStream[];
  format?: { format_name?: string; duration?: string };
}

const IMAGE_FORMATS = /^(image2|png_pipe|jpeg_pipe|webp_pipe|bmp_pipe|tiff_pipe|gif|.*_pipe)$/;

/** Turns ffprobe's JSON into MediaInfo. Pure, so it is tested on captured output. */
export function parseProbe(file: string, json: FfprobeOutput): MediaInfo {
  const streams = json.streams ?? [];
  const a = streams.find((s) => s.codec_type === "audio");
  const v = streams.find((s) => s.codec_type === "video" && !s.disposition?.attached_pic);
  const format = json.format?.format_name ?? "unknown";
  const duration = Number(json.format?.duration);
  let rate: Rate = { num: 25, den: 1 };
  const fr = v?.avg_frame_rate && v.avg_frame_rate !== "0/0" ? v.avg_frame_rate : v?.r_frame_rate;
  if (fr && /^\d+\/\d+$/.test(fr) && !fr.endsWith("/0") && !fr.startsWith("0/")) {
    const [n, d] = fr.split("/").map(Number) as [number, number];
    rate = n % d === 0 ? toRate(n / d) : { num: n, den: d };
  }
  return {
    file,
    format,
    durationS: Number.isFinite(duration) ? duration : 0,
    audio: a
      ? { codec: a.codec_name ?? "?", sampleRate: Number(a.sample_rate ?? 0), channels: a.channels ?? 0 }
      : undefined,
    video: v
      ? {
          codec: v.codec_name ?? "?",
          width: v.width ?? 0,
          height: v.height ?? 0,
          rate,
          frames: v.nb_frames ? Number(v.nb_frames) : undefined,
        }
      : undefined,
    isImage: !!v && !a && IMAGE_FORMATS.test(format),
  };
}

async function ensureReadableFile(file: string, what: string): Promise<void> {
  let s: Awaited<ReturnType<typeof stat>>;
  try {
    s = await stat(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserInputError(
      `${what} ${file}: ${code === "ENOENT" ? "no such file" : `cannot read it (${code})`}`,
      {
        file,
        hint: "check the path",
        cause: e,
      },
    );
  }
  if (!s.isFile())
    throw new UserInputError(`${what} ${file} is not a file`, { file, hint: "give the file itself" });
  if (s.size === 0)
    throw new UserInputError(`${what} ${file} is empty (0 bytes)`, { file, hint: "export it again" });
  // Otherwise ffprobe fails on it and the file would be called "not a media file".
  try {
    await access(file, constants.R_OK);
  } catch (e) {
    throw new UserInputError(`${what} ${file}: permission denied`, {
      file,
      hint: "check who may read it (chmod a+r)",
      cause: e,
    });
  }
}

/** Probes any media file. Unreadable or non-media files become a UserInputError naming the file. */
export async function probe(
  tools: Tools,
  file: string,
  what = "file",
  signal?: AbortSignal,
): Promise<MediaInfo> {
  await ensureReadableFile(file, what);
  let stdout: Buffer;
  try {
    ({ stdout } = await runTool(
      tools.ffprobe,
      ["-v", "error", "-print_format", "json", "-show_format", "-show_streams", "--", file],
      { captureStdout: true, signal },
    ));
  } catch (e) {
    if (e instanceof MediaError && e.exitStatus !== undefined && e.exitStatus !== null) {
      throw new UserInputError(`${what} ${file} is not a media file ffmpeg can read`, {
        file,
        cause: e,
        hint: what === "song" ? "give an audio file (mp3, wav, flac, m4a…)" : "check the file",
      });
    }
    throw e;
  }
  return parseProbe(file, JSON.parse(stdout.toString("utf8")) as FfprobeOutput);
}

/** Shorter than this, an audio file cannot be a song: it is cut short or empty. */
const MIN_SONG_S = 0.1;

/** Probes a song: it must hold an audio stream with a positive duration. */
export async function probeAudio(tools: Tools, file: string, signal?: AbortSignal): Promise<MediaInfo> {
  const info = await probe(tools, file, "song", signal);
  if (!info.audio) {
    throw new UserInputError(`song ${file} has no audio stream`, {
      file,
      hint: "give an audio file (mp3, wav, flac, m4a…)",
    });
  }
  // A file cut off right after its header probes as audio of a few samples; 0 means ffprobe could not tell.
  if (info.durationS > 0 && info.durationS < MIN_SONG_S) {
    throw new UserInputError(`song ${file} holds almost no sound (${info.durationS.toFixed(3)} s)`, {
      file,
      hint: "it may be cut short: export it again",
    });
  }
  return info;
}

/** Probes an image: it must decode to a picture. */
export async function probeImage(tools: Tools, file: string, signal?: AbortSignal): Promise<MediaInfo> {
  const info = await probe(tools, file, "image", signal);
  if (!info.video || info.audio || info.video.width < 16 || info.video.height < 16) {
    throw new UserInputError(`image ${file} is not a picture ffmpeg can read`, {
      file,
      hint: "give a PNG or JPEG",
    });
  }
  return info;
}

export interface DecodeOptions {
  sampleRate?: number;
  /** Start and length in samples at `sampleRate`; the whole file when absent. */
  startSample?: number;
  lengthSamples?: number;
  signal?: AbortSignal;
  onCommand?: (line: string) => void;
}

/** Decodes audio to mono float samples at 48 kHz (or `sampleRate`). */
export async function decodeMono(
  tools: Tools,
  file: string,
  options: DecodeOptions = {},
): Promise<Float32Array> {
  const sr = options.sampleRate ?? SAMPLE_RATE;
  const seek = options.startSample !== undefined ? ["-ss", (options.startSample / sr).toFixed(6)] : [];
  const length = options.lengthSamples !== undefined ? ["-t", (options.lengthSamples / sr).toFixed(6)] : [];
  let stdout: Buffer;
  try {
    ({ stdout } = await runFfmpeg(
      tools,
      [
        ...seek,
        "-i",
        file,
        ...length,
        "-vn",
        "-ac",
        "1",
        "-ar",
        String(sr),
        "-f",
        "f32le",
        "-acodec",
        "pcm_f32le",
        "pipe:1",
      ],
      { captureStdout: true, signal: options.signal, onCommand: options.onCommand },
    ));
  } catch (e) {
    if (e instanceof MediaError) {
      throw new UserInputError(
        `song ${file} could not be decoded: ${e.stderrTail?.split("\n").pop() ?? "ffmpeg failed"}`,
        {
          file,
          hint: "is it a complete audio file? try re-exporting it",
          cause: e,
        },
      );
    }
    throw e;
  }
  // Copy into an aligned buffer: Buffer slices may start at an odd offset.
  const samples = new Float32Array(Math.floor(stdout.byteLength / 4));
  new Uint8Array(samples.buffer).set(stdout.subarray(0, samples.length * 4));
  return samples;
}

/** Video frames a file really holds, counted by decoding (not the container's claim). */
export async function countFrames(tools: Tools, file: string, signal?: AbortSignal): Promise<number> {
  const { stdout } = await runTool(
    tools.ffprobe,
    [
      "-v",
      "error",
      "-count_frames",
      "-select_streams",
      "v:0",
      "-show_entries",
      "stream=nb_read_frames",
      "-of",
      "csv=p=0",
      file,
    ],
    { captureStdout: true, signal },
  );
  return Number(stdout.toString().trim());
}
