// OpenAI GPT image models: images/generations, and images/edits from the existing key image to keep the character.
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { UserInputError } from "../../errors/index.js";
import { HostedHttp } from "../http/client.js";
import { oneOf, optionalString, requireKey } from "../http/settings.js";
import type { ImageProvider, ImageRequest } from "../image/index.js";

export const OPENAI_IMAGE_MODELS = [
  "gpt-image-1",
  "gpt-image-1-mini",
  "gpt-image-1.5",
  "gpt-image-2",
] as const;
const QUALITIES = ["low", "medium", "high"] as const;

/**
 * USD per image at the sizes refrain asks for, by quality (OpenAI's price page for gpt-image-1 at
 * 1024×1024 / 1536×1024; an estimate: the API reports tokens, not dollars).
 */
const PRICE: Record<(typeof QUALITIES)[number], number> = { low: 0.016, medium: 0.063, high: 0.25 };

/** The API size for an aspect: GPT image models know three. Pure. */
export function openaiSize(aspect: ImageRequest["aspect"]): string {
  return aspect === "16:9" ? "1536x1024" : aspect === "9:16" ? "1024x1536" : "1024x1024";
}

export function createOpenAiImageProvider(
  settings: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
  log?: (line: string) => void,
): ImageProvider {
  const where = "image";
  const key = requireKey(env, "OPENAI_API_KEY", "openai images");
  const model = oneOf(settings, "model", where, OPENAI_IMAGE_MODELS, "gpt-image-1");
  const quality = oneOf(settings, "quality", where, QUALITIES, "medium");
  const http = new HostedHttp({
    provider: "openai",
    baseUrl: optionalString(settings, "base_url", where) ?? "https://api.openai.com/v1",
    authHeaders: { Authorization: `Bearer ${key}` },
    keyVariable: "OPENAI_API_KEY",
    secrets: [key],
    log,
    timeoutMs: 300_000,
  });
  return {
    name: "openai",
    model,
    price: { kind: "per-job", usd: PRICE[quality] },
    paid: true,
    async generate(request, signal) {
      const n = request.count ?? 1;
      const size = openaiSize(request.aspect);
      type Answer = { data?: { b64_json?: string }[] };
      let answer: Answer;
      if (request.reference && request.reference.length > 0) {
        const form = new FormData();
        // `model` always set: without it the API falls back to dall-e-2.
        form.set("model", model);
        form.set("prompt", request.prompt);
        form.set("n", String(n));
        form.set("size", size);
        form.set("quality", quality);
        for (const ref of request.reference) {
          let bytes: Buffer;
          try {
            bytes = await readFile(ref);
          } catch {
            throw new UserInputError(`${ref}: cannot read the reference image`, { file: ref });
          }
          form.append("image[]", new Blob([new Uint8Array(bytes)], { type: "image/png" }), basename(ref));
        }
        answer = await http.json<Answer>("POST", "/images/edits", { body: form, signal });
      } else {
        answer = await http.json<Answer>("POST", "/images/generations", {
          json: { model, prompt: request.prompt, n, size, quality, output_format: "png" },
          signal,
        });
      }
      const images = (answer?.data ?? []).map((d) => d.b64_json).filter((b): b is string => Boolean(b));
      if (images.length === 0) throw http.error("the answer holds no image (data[].b64_json)");
      return images.map((b) => new Uint8Array(Buffer.from(b, "base64")));
    },
  };
}
