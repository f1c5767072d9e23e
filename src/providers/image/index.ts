// Image providers: the key image generated (or edited from the existing one to keep the character), every image a take.
import { randomUUID } from "node:crypto";
import { copyFile } from "node:fs/promises";
import { extname } from "node:path";
import { Cancelled, throwIfAborted } from "../../errors/index.js";
import { checkFace } from "../../face/index.js";
import { withTempOutput } from "../../files/index.js";
import { probeImage, type Tools } from "../../media/index.js";
import { estimateCost, type PriceModel } from "../clip.js";
import { saveMedia } from "../music/download.js";
import { type MediaTake, type MediaTakes, submittedTake } from "../music/takes.js";

export interface ImageRequest {
  readonly prompt: string;
  readonly aspect: "16:9" | "9:16" | "1:1";
  /** Existing key image(s) to edit from, so the character stays the same. */
  readonly reference?: readonly string[];
  /** Images to make (default 1). */
  readonly count?: number;
}

/**
 * OpenAI and Gemini answer images in the same HTTP call, so an image provider is one call rather
 * than submit → poll → fetch; the driver still records a take before the call so none is lost.
 */
export interface ImageProvider {
  readonly name: string;
  readonly model: string;
  /** Price of one image. */
  readonly price: PriceModel;
  readonly paid: boolean;
  /** The images' bytes (PNG or JPEG). */
  generate(request: ImageRequest, signal?: AbortSignal): Promise<Uint8Array[]>;
}

export interface MakeImagesOptions {
  readonly takes: MediaTakes;
  readonly tools: Tools;
  readonly now?: () => number;
  readonly signal?: AbortSignal;
  /** Run the face check on each image (default true). */
  readonly faceCheck?: boolean;
}

export function estimateImages(provider: ImageProvider, count = 1): number {
  return estimateCost(provider.price, 0) * count;
}

/** Generates images as takes, each with its face-check note; a failed call is kept as a failed take. */
export async function makeImages(
  provider: ImageProvider,
  request: ImageRequest,
  options: MakeImagesOptions,
): Promise<MediaTake[]> {
  const now = options.now ?? Date.now;
  throwIfAborted(options.signal);
  const count = request.count ?? 1;
  const base = submittedTake({
    request: randomUUID(),
    provider,
    remoteId: null,
    spec: request,
    estimatedUsd: estimateImages(provider, count),
    createdAt: now(),
  });
  await options.takes.put(base);
  let images: Uint8Array[];
  try {
    images = await provider.generate(request, options.signal);
  } catch (e) {
    await options.takes.put({
      ...base,
      status: "failed",
      finishedAt: now(),
      actualUsd: 0,
      failureReason: (e as { shortMessage?: string }).shortMessage ?? (e as Error).message,
    });
    throw e;
  }
  const share = estimateImages(provider, 1);
  const out: MediaTake[] = [];
  for (let i = 0; i < images.length; i++) {
    const take: MediaTake = {
      ...base,
      id: i === 0 ? base.id : randomUUID(),
      item: String(i),
      estimatedUsd: share,
    };
    const file = `${take.id}.png`;
    try {
      await saveMedia(images[i]!, options.takes.path(file), {
        tools: options.tools,
        expect: "image",
        signal: options.signal,
      });
    } catch (e) {
      if (e instanceof Cancelled) throw e;
      const failed = {
        ...take,
        status: "failed" as const,
        finishedAt: now(),
        actualUsd: share,
        failureReason: (e as Error).message,
      };
      await options.takes.put(failed);
      out.push(failed);
      continue;
    }
    const note =
      options.faceCheck === false
        ? null
        : (await checkFace(options.tools, options.takes.path(file), options.signal)).note;
    const done: MediaTake = { ...take, status: "succeeded", finishedAt: now(), actualUsd: share, file, note };
    await options.takes.put(done);
    out.push(done);
  }
  return out;
}

/** Imports an image file as a take (free), with its face check. */
export async function importImage(path: string, options: MakeImagesOptions): Promise<MediaTake> {
  const now = options.now ?? Date.now;
  await probeImage(options.tools, path, options.signal);
  const id = randomUUID();
  const file = `${id}${extname(path).toLowerCase() || ".png"}`;
  await withTempOutput(options.takes.path(file), (tmp) => copyFile(path, tmp));
  const note =
    options.faceCheck === false
      ? null
      : (await checkFace(options.tools, options.takes.path(file), options.signal)).note;
  const take: MediaTake = {
    id,
    request: id,
    provider: "import",
    model: "",
    remoteId: null,
    item: null,
    status: "succeeded",
    spec: { imported: path },
    estimatedUsd: 0,
    actualUsd: 0,
    createdAt: now(),
    finishedAt: now(),
    file,
    lyrics: null,
    durationS: null,
    failureReason: null,
    note,
  };
  await options.takes.put(take);
  return take;
}
