// A fake of OpenAI's images API (POST /v1/images/generations JSON, /v1/images/edits multipart) on 127.0.0.1, answering real PNGs.
//
// Answers {created, data:[{b64_json}], size, quality, output_format} as GPT image models do. The PNG is
// the demo singer (a drawn face the face check finds). Errors as OpenAI shapes them: {error:{message,type,code}}.
// No `model` → 400 (the real API would silently use dall-e-2). Behaviours: openai-429-once,
// openai-moderation (a prompt containing "forbidden" → 400 moderation_blocked).
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { drawDemoSinger } from "../../src/demo/index.js";
import { findTools, type Tools, writePng } from "../../src/media/index.js";
import { isMain, Once } from "../shared/hosted.js";
import { createServer, listenWithScratch, parseMultipart, readBody, sendJson } from "../shared/http.js";

export type OpenAiImagesBehaviour = "openai-429-once" | "openai-moderation";

export interface OpenAiImagesFake {
  url: string;
  /** Each request: route, model, and how many reference images an edit carried. */
  requests: { path: string; model?: string; references: number }[];
  close(): Promise<void>;
}

export async function startOpenAiImagesFake(
  options: { key?: string; behaviours?: readonly OpenAiImagesBehaviour[]; port?: number; tools?: Tools } = {},
): Promise<OpenAiImagesFake> {
  const key = options.key ?? "sk-test";
  const tools = options.tools ?? findTools(process.env);
  const b = new Set(options.behaviours ?? []);
  const once = new Once({ "openai-429-once": b.has("openai-429-once") ? 1 : 0 });
  const dir = await mkdtemp(join(tmpdir(), "openai-images-fake-"));
  await writePng(tools, drawDemoSinger(256, 256), join(dir, "singer.png"));
  const png = (await readFile(join(dir, "singer.png"))).toString("base64");
  const requests: OpenAiImagesFake["requests"] = [];
  const fail = (res: Parameters<typeof sendJson>[0], status: number, message: string, code: string | null) =>
    sendJson(res, status, { error: { message, type: "invalid_request_error", param: null, code } });

  const server = createServer(async (req, res) => {
    const u = new URL(req.url ?? "/", "http://x");
    if (req.headers.authorization !== `Bearer ${key}`)
      return fail(res, 401, "Incorrect API key provided", "invalid_api_key");
    if (once.take("openai-429-once")) {
      res.setHeader("retry-after", "1");
      return fail(res, 429, "Rate limit reached for images per minute", "rate_limit_exceeded");
    }
    const body = (await readBody(req)) ?? Buffer.alloc(0);
    let fields: { model?: string; prompt?: string; n?: number };
    let references = 0;
    if (u.pathname === "/v1/images/generations" && req.method === "POST") {
      fields = JSON.parse(body.toString("utf8") || "{}");
    } else if (u.pathname === "/v1/images/edits" && req.method === "POST") {
      const form = await parseMultipart(String(req.headers["content-type"]), body);
      references = form.getAll("image[]").length + form.getAll("image").length;
      if (references === 0) return fail(res, 400, "image is required", null);
      fields = {
        model: form.get("model")?.toString(),
        prompt: form.get("prompt")?.toString(),
        n: Number(form.get("n") ?? 1),
      };
    } else {
      return fail(res, 404, `Invalid URL (${req.method} ${u.pathname})`, null);
    }
    requests.push({ path: u.pathname, model: fields.model, references });
    if (!fields.model) return fail(res, 400, "model missing: the API would use dall-e-2", null);
    if (!fields.prompt) return fail(res, 400, "prompt is required", null);
    if (b.has("openai-moderation") && /forbidden/i.test(fields.prompt)) {
      return fail(res, 400, "Your request was rejected by the safety system.", "moderation_blocked");
    }
    const n = Math.max(1, Math.min(10, Number(fields.n ?? 1)));
    sendJson(res, 200, {
      created: 1_700_000_000,
      data: Array.from({ length: n }, () => ({ b64_json: png })),
      size: "1024x1024",
      quality: "medium",
      output_format: "png",
      background: "opaque",
      usage: { total_tokens: 100, input_tokens: 10, output_tokens: 90 },
    });
  });
  const served = await listenWithScratch(server, options.port, dir);
  return { ...served, requests };
}

if (isMain(import.meta.url)) {
  const fake = await startOpenAiImagesFake({ port: Number(process.env.PORT ?? 0) });
  process.stdout.write(`openai images fake on ${fake.url}/v1 (key sk-test)\n`);
}
