// Gemini image models (gemini-2.5-flash-image): generateContent with the prompt and any reference images, the image read from inlineData.
import { readFile } from "node:fs/promises";
import { extname } from "node:path";
import { ProviderError, UserInputError } from "../../errors/index.js";
import { HostedHttp } from "../http/client.js";
import { oneOf, optionalNumber, optionalString, requireKey } from "../http/settings.js";
import type { ImageProvider, ImageRequest } from "../image/index.js";

export const GEMINI_IMAGE_MODELS = ["gemini-2.5-flash-image", "gemini-3-pro-image-preview"] as const;
const IMAGE_SIZES = ["1K", "2K", "4K"] as const;

/**
 * USD per image, an estimate from Google's price page: output images are billed as tokens
 * (1290 tokens at $30 per million for 2.5 Flash Image; 3 Pro Image about $0.134 up to 2K, $0.24 at 4K).
 */
function pricePerImage(model: (typeof GEMINI_IMAGE_MODELS)[number], size?: string): number {
  if (model === "gemini-2.5-flash-image") return 0.039;
  return size === "4K" ? 0.24 : 0.134;
}

interface Part {
  text?: string;
  inlineData?: { mimeType?: string; data?: string };
}

interface Answer {
  candidates?: { content?: { parts?: Part[] }; finishReason?: string }[];
  promptFeedback?: { blockReason?: string };
}

const MIME: Record<string, string> = {
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".webp": "image/webp",
};

/** The generateContent body for one image. Pure apart from the references' bytes, passed in. */
export function geminiBody(
  request: ImageRequest,
  references: readonly { mimeType: string; data: string }[],
  imageSize?: string,
): Record<string, unknown> {
  const imageConfig: Record<string, unknown> = { aspectRatio: request.aspect };
  if (imageSize) imageConfig.imageSize = imageSize;
  return {
    contents: [{ parts: [{ text: request.prompt }, ...references.map((r) => ({ inlineData: r }))] }],
    generationConfig: { responseModalities: ["TEXT", "IMAGE"], imageConfig },
  };
}

/** The image bytes of an answer, or the reason there is none (the model's words, a safety stop). Pure. */
export function geminiImage(answer: Answer | null): { image: Uint8Array } | { reason: string } {
  const blocked = answer?.promptFeedback?.blockReason;
  if (blocked) return { reason: `the prompt was blocked (${blocked})` };
  const candidate = answer?.candidates?.[0];
  const parts = candidate?.content?.parts ?? [];
  const data = parts.find((p) => p.inlineData?.data)?.inlineData?.data;
  if (data) return { image: new Uint8Array(Buffer.from(data, "base64")) };
  const words = parts
    .map((p) => p.text ?? "")
    .join(" ")
    .replace(/\s+/g, " ")
    .trim();
  if (words) return { reason: `the model answered with text and no image: "${words.slice(0, 160)}"` };
  return { reason: `the answer holds no image (finishReason ${candidate?.finishReason ?? "missing"})` };
}

export function createGeminiImageProvider(
  settings: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
  log?: (line: string) => void,
): ImageProvider {
  const where = "key_image";
  const key = requireKey(env, "GEMINI_API_KEY", "gemini images");
  const model = oneOf(settings, "model", where, GEMINI_IMAGE_MODELS, "gemini-2.5-flash-image");
  const imageSize =
    settings.image_size === undefined ? undefined : oneOf(settings, "image_size", where, IMAGE_SIZES, "1K");
  if (imageSize && model === "gemini-2.5-flash-image")
    throw new UserInputError(`${where}.image_size: only gemini-3-pro-image-preview takes a size`);
  const usd = optionalNumber(settings, "price_usd", where, { min: 0 }) ?? pricePerImage(model, imageSize);
  const http = new HostedHttp({
    provider: "gemini",
    baseUrl: optionalString(settings, "base_url", where) ?? "https://generativelanguage.googleapis.com",
    authHeaders: { "x-goog-api-key": key },
    keyVariable: "GEMINI_API_KEY",
    secrets: [key],
    log,
    timeoutMs: 300_000,
  });
  const path = `/v1beta/models/${encodeURIComponent(model)}:generateContent`;

  async function one(body: Record<string, unknown>, signal?: AbortSignal): Promise<Uint8Array> {
    let answer: Answer | null;
    try {
      answer = await http.json<Answer>("POST", path, { json: body, signal });
    } catch (e) {
      // Google answers a wrong key with 400 INVALID_ARGUMENT, not 401.
      if (e instanceof ProviderError && e.status === 400 && /API key not valid/i.test(e.message)) {
        throw http.error("GEMINI_API_KEY is not valid (HTTP 400)", {
          status: 400,
          hint: "check GEMINI_API_KEY in the environment or the project's .env",
        });
      }
      throw e;
    }
    const got = geminiImage(answer);
    if ("reason" in got)
      throw http.error(got.reason, { hint: "reword the prompt, or try another image model" });
    return got.image;
  }

  return {
    name: "gemini",
    model,
    price: { kind: "per-job", usd },
    paid: true,
    async generate(request, signal) {
      const references: { mimeType: string; data: string }[] = [];
      for (const ref of request.reference ?? []) {
        let bytes: Buffer;
        try {
          bytes = await readFile(ref);
        } catch {
          throw new UserInputError(`${ref}: cannot read the reference image`, { file: ref });
        }
        references.push({
          mimeType: MIME[extname(ref).toLowerCase()] ?? "image/png",
          data: bytes.toString("base64"),
        });
      }
      const body = geminiBody(request, references, imageSize);
      // One image per call: the image models answer one candidate.
      const out: Uint8Array[] = [];
      for (let i = 0; i < (request.count ?? 1); i++) out.push(await one(body, signal));
      return out;
    },
  };
}
