// A fake of the Gemini API's generateContent for image models (gemini-2.5-flash-image) on 127.0.0.1, answering real PNGs.
//
// POST /v1beta/models/{model}:generateContent, key in `x-goog-api-key` (BACKENDS.md "Images and text").
// Body {contents:[{parts:[{text},{inlineData:{mimeType,data}}…]}], generationConfig:{responseModalities,
// imageConfig:{aspectRatio, imageSize?}}} → {candidates:[{content:{role:"model", parts:[{text},{inlineData}]},
// finishReason:"STOP"}], usageMetadata, modelVersion}. Errors as Google shapes them: {error:{code, message, status}}:
// no key 403 PERMISSION_DENIED, a wrong key 400 INVALID_ARGUMENT "API key not valid", unknown model 404 NOT_FOUND.
// The PNG is the demo singer (a drawn face the face check finds).
// Behaviours: gemini-429-once (429 RESOURCE_EXHAUSTED once), gemini-text-only (the model answers in words and
// draws nothing), gemini-safety (the candidate ends IMAGE_SAFETY with no content), gemini-no-face (a landscape:
// an image with no face in it).
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { drawDemoSinger } from "../../src/demo/index.js";
import { findTools, type Tools, writePng } from "../../src/media/index.js";
import { isMain, Once } from "../shared/hosted.js";
import { createServer, listenWithScratch, readBody, sendJson } from "../shared/http.js";

export type GeminiBehaviour = "gemini-429-once" | "gemini-text-only" | "gemini-safety" | "gemini-no-face";

export const GEMINI_IMAGE_MODELS = ["gemini-2.5-flash-image", "gemini-3-pro-image-preview"] as const;
const ASPECTS = ["1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9"];

export interface GeminiFake {
  url: string;
  /** Each request: model, aspect ratio and how many images it carried as references. */
  requests: { model: string; aspectRatio?: string; references: number; prompt: string }[];
  close(): Promise<void>;
}

interface Part {
  text?: string;
  inlineData?: { mimeType?: string; data?: string };
}

export async function startGeminiFake(
  options: { key?: string; behaviours?: readonly GeminiBehaviour[]; port?: number; tools?: Tools } = {},
): Promise<GeminiFake> {
  const key = options.key ?? "gemini-test-key";
  const tools = options.tools ?? findTools(process.env);
  const b = new Set(options.behaviours ?? []);
  const once = new Once({ "gemini-429-once": b.has("gemini-429-once") ? 1 : 0 });
  const dir = await mkdtemp(join(tmpdir(), "gemini-fake-"));
  await writePng(tools, drawDemoSinger(256, 256), join(dir, "singer.png"));
  // A sky over a field: no face for the face check to find.
  const landscape = new Uint8Array(256 * 256 * 3).map(
    (_, i) => (Math.floor(i / 768) < 160 ? [90, 150, 230] : [60, 140, 50])[i % 3]!,
  );
  await writePng(tools, { width: 256, height: 256, pixels: landscape }, join(dir, "landscape.png"));
  const png = (await readFile(join(dir, b.has("gemini-no-face") ? "landscape.png" : "singer.png"))).toString(
    "base64",
  );
  const requests: GeminiFake["requests"] = [];
  const fail = (res: Parameters<typeof sendJson>[0], code: number, status: string, message: string) =>
    sendJson(res, code, { error: { code, message, status } });

  const server = createServer(async (req, res) => {
    const u = new URL(req.url ?? "/", "http://x");
    const body = (await readBody(req)) ?? Buffer.alloc(0);
    const route = /^\/v1beta\/models\/([^/:]+):generateContent$/.exec(u.pathname);
    if (!route || req.method !== "POST")
      return fail(res, 404, "NOT_FOUND", `Method not found: ${req.method} ${u.pathname}`);
    const given = req.headers["x-goog-api-key"];
    if (!given)
      return fail(
        res,
        403,
        "PERMISSION_DENIED",
        "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
      );
    if (given !== key)
      return fail(res, 400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.");
    if (once.take("gemini-429-once"))
      return fail(
        res,
        429,
        "RESOURCE_EXHAUSTED",
        "You exceeded your current quota, please check your plan and billing details. Please retry in 2s.",
      );
    const model = decodeURIComponent(route[1]!);
    if (!(GEMINI_IMAGE_MODELS as readonly string[]).includes(model))
      return fail(res, 404, "NOT_FOUND", `models/${model} is not found for API version v1beta`);
    let json: {
      contents?: { parts?: Part[] }[];
      generationConfig?: { responseModalities?: string[]; imageConfig?: { aspectRatio?: string } };
    };
    try {
      json = JSON.parse(body.toString("utf8") || "{}");
    } catch {
      return fail(res, 400, "INVALID_ARGUMENT", "Invalid JSON payload received.");
    }
    const parts = (json.contents ?? []).flatMap((c) => c.parts ?? []);
    const prompt = parts.map((p) => p.text ?? "").join(" ");
    const references = parts.filter((p) => p.inlineData?.data).length;
    const aspectRatio = json.generationConfig?.imageConfig?.aspectRatio;
    requests.push({ model, aspectRatio, references, prompt });
    if (!prompt.trim())
      return fail(
        res,
        400,
        "INVALID_ARGUMENT",
        "* GenerateContentRequest.contents: contents is not specified",
      );
    if (aspectRatio !== undefined && !ASPECTS.includes(aspectRatio))
      return fail(res, 400, "INVALID_ARGUMENT", `Unsupported aspect ratio: ${aspectRatio}`);
    const usageMetadata = { promptTokenCount: 12, candidatesTokenCount: 1290, totalTokenCount: 1302 };
    if (b.has("gemini-safety")) {
      return sendJson(res, 200, {
        candidates: [{ finishReason: "IMAGE_SAFETY", index: 0 }],
        usageMetadata,
        modelVersion: model,
      });
    }
    const wantsImage = (json.generationConfig?.responseModalities ?? ["TEXT", "IMAGE"]).includes("IMAGE");
    const answer: Part[] = [{ text: "Here is the singer you described." }];
    if (wantsImage && !b.has("gemini-text-only"))
      answer.push({ inlineData: { mimeType: "image/png", data: png } });
    else answer[0] = { text: "I can describe this singer, but I cannot draw people in that setting." };
    sendJson(res, 200, {
      candidates: [{ content: { role: "model", parts: answer }, finishReason: "STOP", index: 0 }],
      usageMetadata,
      modelVersion: model,
      responseId: `resp-${requests.length}`,
    });
  });
  const served = await listenWithScratch(server, options.port, dir);
  return { ...served, requests };
}

if (isMain(import.meta.url)) {
  const fake = await startGeminiFake({ port: Number(process.env.PORT ?? 0) });
  process.stdout.write(`gemini fake on ${fake.url} (key gemini-test-key)\n`);
}
