// Finding faces in a still image with @vladmandic/human on its WebAssembly backend (models shipped in the package, no network).
//
// human's Node builds are loaded by file path: its package "exports" map names no subpaths. Node's
// fetch cannot read file:// URLs, which human and tfjs use to load models and the .wasm binary, so
// a fetch that reads such URLs from disk is installed for the duration of loading only.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { MediaError } from "../errors/index.js";
import { probeImage, runFfmpeg, type Tools } from "../media/index.js";
import type { DetectedFace, Size } from "./crop.js";

const require = createRequire(import.meta.url);

interface HumanLike {
  load(): Promise<void>;
  detect(
    input: unknown,
  ): Promise<{ face: { box: [number, number, number, number]; boxScore?: number; score: number }[] }>;
  tf: { tensor3d(values: Uint8Array, shape: [number, number, number], dtype: "int32"): { dispose(): void } };
}

let loading: Promise<HumanLike> | undefined;

/** The dist folder a package's main file lives in (human's exports map hides package.json). */
function distDir(name: string): string {
  return dirname(require.resolve(name));
}

async function withFileFetch<T>(work: () => Promise<T>): Promise<T> {
  const original = globalThis.fetch;
  globalThis.fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    if (!url.startsWith("file://")) return original(input, init);
    const bytes = await readFile(new URL(url));
    const type = url.endsWith(".json")
      ? "application/json"
      : url.endsWith(".wasm")
        ? "application/wasm"
        : "application/octet-stream";
    return new Response(bytes, { headers: { "content-type": type } });
  }) as typeof fetch;
  try {
    return await work();
  } finally {
    globalThis.fetch = original;
  }
}

function loadHuman(): Promise<HumanLike> {
  loading ??= withFileFetch(async () => {
    const humanDist = distDir("@vladmandic/human");
    const mod = require(join(humanDist, "human.node-wasm.js")) as {
      Human: new (config: unknown) => HumanLike;
    };
    const human = new mod.Human({
      backend: "wasm",
      wasmPath: `${pathToFileURL(distDir("@tensorflow/tfjs-backend-wasm")).href}/`,
      modelBasePath: `${pathToFileURL(join(humanDist, "..", "models")).href}/`,
      debug: false,
      face: {
        enabled: true,
        detector: { rotation: false, maxDetected: 10, minConfidence: 0.3 },
        mesh: { enabled: false },
        iris: { enabled: false },
        description: { enabled: false },
        emotion: { enabled: false },
        antispoof: { enabled: false },
        liveness: { enabled: false },
      },
      body: { enabled: false },
      hand: { enabled: false },
      object: { enabled: false },
      gesture: { enabled: false },
      segmentation: { enabled: false },
    });
    await human.load();
    return human;
  });
  return loading;
}

/** Faces in an image file, in its pixels (decoded by ffmpeg to RGB). */
export async function detectFaces(
  tools: Tools,
  image: string,
  signal?: AbortSignal,
): Promise<{ size: Size; faces: DetectedFace[] }> {
  const info = await probeImage(tools, image, signal);
  const size = { width: info.video!.width, height: info.video!.height };
  const run = await runFfmpeg(
    tools,
    ["-i", image, "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"],
    {
      captureStdout: true,
      signal,
    },
  );
  const pixels = run.stdout;
  if (!pixels || pixels.length !== size.width * size.height * 3) {
    throw new MediaError(`could not decode ${image} to pixels for the face check`);
  }
  const human = await loadHuman();
  const tensor = human.tf.tensor3d(new Uint8Array(pixels), [size.height, size.width, 3], "int32");
  try {
    const result = await human.detect(tensor);
    return {
      size,
      faces: result.face.map((f) => ({
        box: {
          x: Math.round(f.box[0]),
          y: Math.round(f.box[1]),
          width: Math.round(f.box[2]),
          height: Math.round(f.box[3]),
        },
        score: f.boxScore ?? f.score,
      })),
    };
  } finally {
    tensor.dispose();
  }
}
