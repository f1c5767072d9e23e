// Renders the small, real video a fake video model "generates": the input image, a moving box, exact frames.
import { runFfmpeg, type Tools } from "../../src/media/index.js";

export interface FakeClip {
  /** Still image the clip starts from (any format ffmpeg reads). */
  image: string;
  /** Audio to mux in, when the model returns audio (InfiniteTalk returns its 16 kHz copy). */
  audio?: string;
  audioSampleRate?: number;
  frames: number;
  fps: number;
  width: number;
  height: number;
  /** Moves the box differently per seed, so two takes differ visibly. */
  seed: number;
  out: string;
  signal?: AbortSignal;
}

/**
 * Writes an H.264 mp4 of exactly `frames` frames at `fps`, `width`×`height`: the image scaled and
 * centre-cropped (as InfiniteTalk's bucket resize does) with a box sliding across it.
 */
export async function renderFakeClip(tools: Tools, clip: FakeClip): Promise<void> {
  const w = even(clip.width);
  const h = even(clip.height);
  const box = Math.max(4, Math.round(Math.min(w, h) / 8));
  const speed = 2 + (Math.abs(clip.seed) % 7);
  const seconds = (clip.frames / clip.fps).toFixed(6);
  const video =
    `[0:v]scale=${w}:${h}:force_original_aspect_ratio=increase,crop=${w}:${h},setsar=1[bg];` +
    `color=c=red:s=${box}x${box}:r=${clip.fps}[box];` +
    `[bg][box]overlay=x='mod(n*${speed},W)':y='(H-h)/2':shortest=1,format=yuv420p[v]`;
  const args = ["-loop", "1", "-framerate", String(clip.fps), "-i", clip.image];
  if (clip.audio) args.push("-i", clip.audio);
  args.push(
    "-filter_complex",
    video,
    "-map",
    "[v]",
    "-frames:v",
    String(clip.frames),
    "-r",
    String(clip.fps),
  );
  args.push("-c:v", "libx264", "-preset", "ultrafast", "-tune", "stillimage");
  if (clip.audio) {
    // Pad short audio and cut long audio to the video's length, as InfiniteTalk crops its audio copy.
    args.push(
      "-map",
      "1:a",
      "-af",
      `apad,atrim=duration=${seconds}`,
      "-ar",
      String(clip.audioSampleRate ?? 16000),
    );
    args.push("-ac", "1", "-c:a", "aac");
  }
  args.push("-movflags", "+faststart", "-f", "mp4", clip.out);
  await runFfmpeg(tools, args, { signal: clip.signal });
}

function even(n: number): number {
  return Math.max(2, Math.round(n / 2) * 2);
}
