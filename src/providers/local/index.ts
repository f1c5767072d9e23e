// The `local` clip provider: a free CPU preview — the key image with slow camera motion and a pulse on the beats.
//
// It goes through the same submit → poll → fetch → cancel interface as every paid provider, so the
// whole pipeline (engine, takes, render) is exercised for free. Jobs run as ffmpeg processes in
// this process; after a restart they are gone, which is harmless because they cost nothing.
import { copyFile, mkdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Cancelled, ProviderError, throwIfAborted } from "../../errors/index.js";
import { runFfmpeg, type Tools } from "../../media/index.js";
import type { ClipConstraints } from "../../plan/types.js";
import { rateToString, toRate } from "../../time/index.js";
import type { ClipJob, ClipProvider, JobStatus } from "../clip.js";

export const LOCAL_CONSTRAINTS: ClipConstraints = {
  fps: toRate(25),
  frameRule: { kind: "any" },
  minFrames: 25,
  maxFrames: 25 * 60,
};

export interface LocalProviderOptions {
  tools: Tools;
  /** Where finished clips wait to be fetched. */
  workDir?: string;
  /** ffmpeg processes at once (default: 2, one per core here). */
  concurrency?: number;
  /** x264 preset for the clips (default ultrafast: speed over size, the render encodes them again). */
  x264Preset?: string;
  onCommand?: (line: string) => void;
}

interface LocalJob {
  state: JobStatus["state"];
  reason?: string;
  output: string;
  controller: AbortController;
  done: Promise<void>;
}

/**
 * The image is upscaled before zoompan so the slow zoom moves in sub-pixel steps without jitter;
 * 1.5× is smooth at these zoom speeds and costs about half of 2× per frame.
 */
const UPSCALE = 1.5;
const even = (n: number) => 2 * Math.round(n / 2);

/** A small deterministic hash of the seed, for picking a camera move per take. */
function mix(seed: number, salt: number): number {
  let x = (seed * 2654435761 + salt * 40503) >>> 0;
  x ^= x >>> 13;
  x = Math.imul(x, 0x5bd1e995) >>> 0;
  x ^= x >>> 15;
  return x / 0xffffffff;
}

/**
 * The zoompan expressions for one clip: a slow zoom in or out, a drift across the image, and a
 * short zoom pulse decaying after each beat. Pure, so the motion is tested without ffmpeg.
 */
export function cameraMotion(
  job: Pick<ClipJob, "frames" | "seed" | "kind" | "beatsS">,
  fps: number,
): { z: string; x: string; y: string } {
  const n = Math.max(1, job.frames - 1);
  const zoomIn = mix(job.seed, 1) < 0.5;
  const [z0, z1] = zoomIn ? [1.0, 1.12] : [1.12, 1.0];
  const base = `(${z0}+(${(z1 - z0).toFixed(4)})*on/${n})`;
  // Instrumental segments move a little more, vocal ones pulse with the beat.
  const amp = job.kind === "instrumental" ? 0.012 : 0.025;
  const pulses = (job.beatsS ?? [])
    .filter((b) => b >= 0 && b * fps < job.frames)
    .slice(0, 64)
    .map(
      (b) =>
        `if(gte(on,${Math.round(b * fps)}),${amp}*exp(-(on-${Math.round(b * fps)})/${(0.12 * fps).toFixed(2)}),0)`,
    );
  const z = pulses.length ? `${base}+${pulses.join("+")}` : base;
  const dx = (mix(job.seed, 2) - 0.5) * 0.6;
  const dy = (mix(job.seed, 3) - 0.5) * 0.4;
  const x = `(iw-iw/zoom)/2+(iw-iw/zoom)/2*${dx.toFixed(3)}*(2*on/${n}-1)`;
  const y = `(ih-ih/zoom)/2+(ih-ih/zoom)/2*${dy.toFixed(3)}*(2*on/${n}-1)`;
  return { z, x, y };
}

/** Waits for a job, or rejects with Cancelled as soon as the caller's signal fires (the job goes on). */
function untilDoneOrAborted(done: Promise<void>, signal?: AbortSignal): Promise<void> {
  if (!signal) return done;
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(new Cancelled("stopped waiting for a local clip", { cause: signal.reason }));
    signal.addEventListener("abort", onAbort, { once: true });
    done.then(() => {
      signal.removeEventListener("abort", onAbort);
      if (signal.aborted) onAbort();
      else resolve();
    }, reject);
  });
}

export function createLocalProvider(options: LocalProviderOptions): ClipProvider {
  const jobs = new Map<string, LocalJob>();
  const workDir = options.workDir ?? join(tmpdir(), "refrain-local");
  const constraints = LOCAL_CONSTRAINTS;
  const fps = constraints.fps.num / constraints.fps.den;

  function render(job: ClipJob, output: string, signal: AbortSignal): Promise<void> {
    const { z, x, y } = cameraMotion(job, fps);
    // Upscale first so the slow zoom does not jitter on whole pixels.
    const filter = [
      `scale=${even(job.width * UPSCALE)}:${even(job.height * UPSCALE)}:force_original_aspect_ratio=increase`,
      `crop=${even(job.width * UPSCALE)}:${even(job.height * UPSCALE)}`,
      `zoompan=z='${z}':x='${x}':y='${y}':d=${job.frames}:s=${job.width}x${job.height}:fps=${rateToString(constraints.fps)}`,
      "format=yuv420p",
    ].join(",");
    return runFfmpeg(
      options.tools,
      [
        "-i",
        job.image,
        "-i",
        job.audio,
        "-filter_complex",
        `[0:v]${filter}[v]`,
        "-map",
        "[v]",
        "-map",
        "1:a",
        "-frames:v",
        String(job.frames),
        "-c:v",
        "libx264",
        "-preset",
        options.x264Preset ?? "ultrafast",
        "-crf",
        "20",
        "-c:a",
        "aac",
        "-b:a",
        "128k",
        output,
      ],
      { signal, onCommand: options.onCommand },
    ).then(() => undefined);
  }

  const provider: ClipProvider = {
    name: "local",
    model: "still-image-motion",
    constraints,
    concurrency: options.concurrency ?? 2,
    price: { kind: "free" },
    stillLips: "none",
    paid: false,

    async submit(job) {
      if (jobs.has(job.token)) throw new ProviderError("local", `job ${job.token} was already submitted`);
      if (job.frames < constraints.minFrames || job.frames > constraints.maxFrames) {
        throw new ProviderError(
          "local",
          `cannot make ${job.frames} frames (allowed ${constraints.minFrames}–${constraints.maxFrames})`,
        );
      }
      await mkdir(workDir, { recursive: true });
      const output = join(workDir, `${job.token}.mp4`);
      const controller = new AbortController();
      const entry: LocalJob = { state: "running", output, controller, done: Promise.resolve() };
      entry.done = render(job, output, controller.signal).then(
        () => {
          entry.state = "succeeded";
        },
        (e: unknown) => {
          entry.state = e instanceof Cancelled ? "cancelled" : "failed";
          entry.reason = e instanceof Error ? e.message : String(e);
        },
      );
      jobs.set(job.token, entry);
      return { remoteId: job.token };
    },

    async poll(remoteId, signal) {
      throwIfAborted(signal);
      const job = jobs.get(remoteId);
      if (!job) throw new ProviderError("local", `no job ${remoteId} (local jobs do not survive a restart)`);
      return { state: job.state, reason: job.reason };
    },

    async fetch(remoteId, dest, signal) {
      throwIfAborted(signal);
      const job = jobs.get(remoteId);
      if (!job) throw new ProviderError("local", `no job ${remoteId}`);
      await untilDoneOrAborted(job.done, signal);
      if (job.state !== "succeeded")
        throw new ProviderError("local", `job ${remoteId} has no output (${job.state}: ${job.reason ?? ""})`);
      await copyFile(job.output, dest);
      await rm(job.output, { force: true });
    },

    async cancel(remoteId) {
      const job = jobs.get(remoteId);
      if (job?.state !== "running") return;
      job.controller.abort();
      await job.done;
    },

    async lookup(token) {
      const job = jobs.get(token);
      return job ? { remoteId: token, status: { state: job.state, reason: job.reason } } : null;
    },

    async close() {
      for (const job of jobs.values()) if (job.state === "running") job.controller.abort();
      await Promise.all([...jobs.values()].map((j) => j.done));
    },
  };
  return provider;
}
