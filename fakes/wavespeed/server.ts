// A protocol-faithful fake of WaveSpeed's v3 prediction API on 127.0.0.1 (written from BACKENDS.md "WaveSpeed").
//
//   POST /api/v3/wavespeed-ai/infinitetalk | /api/v3/wavespeed-ai/wan-2.2/speech-to-video  {image, audio, prompt?, resolution?, seed?}
//        → {code:200, message:"success", data:{id, model, status:"created", urls:{get}, outputs:[]}}
//   GET  /api/v3/predictions/{id}/result → {code:200, data:{id, status: created|processing|completed|failed, outputs:[url], error}}
//   POST /api/v3/media/upload/binary (multipart "file") → {code:200, data:{download_url, size}} (route unverified)
// The video follows the audio's length: InfiniteTalk 25 fps, Wan2.2-S2V 16 fps.
// Behaviours: wavespeed-429-then-ok, wavespeed-job-fails, wavespeed-output-expires.
import {
  audioSeconds,
  cliOptions,
  type FakeJob,
  type HostedFakeOptions,
  type HostedFakeServer,
  hostedFakeParts,
  isMain,
  Once,
  serveHostedFake,
} from "../shared/hosted.js";
import { parseMultipart, readBody, sendJson } from "../shared/http.js";

export type WaveSpeedBehaviour = "wavespeed-429-then-ok" | "wavespeed-job-fails" | "wavespeed-output-expires";

export interface WaveSpeedFakeOptions extends HostedFakeOptions<WaveSpeedBehaviour> {
  /** Accepted key (`Authorization: Bearer <key>`); default "ws-test-key". */
  key?: string;
}

export type WaveSpeedFake = HostedFakeServer;

const MODELS: Record<string, number> = {
  "wavespeed-ai/infinitetalk": 25,
  "wavespeed-ai/wan-2.2/speech-to-video": 16,
};

export async function startWaveSpeedFake(options: WaveSpeedFakeOptions = {}): Promise<WaveSpeedFake> {
  const key = options.key ?? "ws-test-key";
  const { tools, behaviours, jobs, files, stats } = hostedFakeParts("wavespeed", options, {
    concurrency: 2,
    failWith: "face not detected in the image",
  });
  const once = new Once({ "wavespeed-429-then-ok": 1 });
  let base = "";

  const view = (job: FakeJob) => ({
    id: job.id,
    model: job.meta.model,
    status: {
      queued: "created",
      running: "processing",
      succeeded: "completed",
      failed: "failed",
      cancelled: "failed",
    }[job.state],
    outputs: job.state === "succeeded" ? [`${base}/results/${job.id}.mp4`] : [],
    error: job.state === "failed" ? (job.error ?? "") : job.state === "cancelled" ? "cancelled" : "",
    urls: { get: `${base}/api/v3/predictions/${job.id}/result` },
    has_nsfw_contents: [],
    created_at: new Date(job.createdAt).toISOString(),
  });

  const server = await serveHostedFake({
    jobs,
    files,
    stats,
    port: options.port,
    expiredStatus: 403,
    onError: (res, message) => sendJson(res, 500, { code: 500, message, data: null }),
    route: async (req, res, url) => {
      const path = url.pathname;
      if (req.headers.authorization !== `Bearer ${key}`) {
        stats.refusedAuth++;
        return sendJson(res, 401, { code: 401, message: "Unauthorized: invalid API key", data: null });
      }
      if (path === "/api/v3/media/upload/binary" && req.method === "POST") {
        const form = await parseMultipart(
          String(req.headers["content-type"]),
          (await readBody(req)) ?? Buffer.alloc(0),
        );
        const file = form.get("file");
        if (!(file instanceof Blob))
          return sendJson(res, 400, { code: 400, message: "file is required", data: null });
        const bytes = Buffer.from(await file.arrayBuffer());
        const name = `${Date.now()}-${((file as File).name ?? "upload").replace(/[^A-Za-z0-9._-]/g, "_")}`;
        await files.save(name, bytes);
        stats.uploads++;
        return sendJson(res, 200, {
          code: 200,
          message: "success",
          data: {
            type: file.type,
            download_url: `${base}/uploads/${name}`,
            filename: name,
            size: bytes.length,
          },
        });
      }
      const result = /^\/api\/v3\/predictions\/([^/]+)\/result$/.exec(path);
      if (result && req.method === "GET") {
        stats.polls++;
        const job = jobs.get(result[1]!);
        if (!job) return sendJson(res, 404, { code: 404, message: "prediction not found", data: null });
        return sendJson(res, 200, { code: 200, message: "success", data: view(job) });
      }
      const model = path.replace(/^\/api\/v3\//, "");
      if (req.method === "POST" && MODELS[model]) {
        stats.submits++;
        if (behaviours.has("wavespeed-429-then-ok") && once.take("wavespeed-429-then-ok")) {
          res.setHeader("retry-after", "3");
          return sendJson(res, 429, {
            code: 429,
            message: "Too many requests, please retry later",
            data: null,
          });
        }
        const input = JSON.parse((await readBody(req))?.toString("utf8") || "{}") as Record<string, unknown>;
        const image = await files.resolve(input.image, base);
        const audio = await files.resolve(input.audio, base);
        if (!image || !audio)
          return sendJson(res, 400, {
            code: 400,
            message: `cannot read ${image ? "audio" : "image"}`,
            data: null,
          });
        const fps = MODELS[model]!;
        const frames = Math.ceil((await audioSeconds(tools, audio)) * fps);
        const job = jobs.create({ image, frames, fps, seed: Number(input.seed ?? 0), meta: { model } });
        return sendJson(res, 200, { code: 200, message: "success", data: view(job) });
      }
      sendJson(res, 404, { code: 404, message: "not found", data: null });
    },
  });
  base = server.url;
  return server;
}

if (isMain(import.meta.url)) {
  const { behaviours, port } = cliOptions<WaveSpeedBehaviour>("wavespeed-");
  const fake = await startWaveSpeedFake({ behaviours, port });
  console.log(`wavespeed fake on ${fake.url} (key "ws-test-key")`);
}
