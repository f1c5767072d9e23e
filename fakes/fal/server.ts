// A protocol-faithful fake of fal.ai's queue API, storage upload and media links, on 127.0.0.1 (written from BACKENDS.md "fal.ai queue").
//
// Routes (one server plays queue.fal.run, rest.alpha.fal.ai and the media CDN):
//   POST /{model id}                              → {request_id, response_url, status_url, cancel_url, queue_position}
//   GET  /{owner}/{app}/requests/{id}/status[?logs=1] → {status: IN_QUEUE|IN_PROGRESS|COMPLETED, queue_position?, response_url, logs?}
//   GET  /{owner}/{app}/requests/{id}             → {video:{url,content_type,file_name,file_size}, seed}
//   PUT  /{owner}/{app}/requests/{id}/cancel      → 202 {status:"CANCELLATION_REQUESTED"} | 400 ALREADY_COMPLETED | 404 NOT_FOUND
//   POST /storage/upload/initiate                 → {upload_url, file_url}; PUT the bytes to upload_url (route unverified)
//   GET  /results/{id}.mp4, GET|HEAD /uploads/{name}
// Errors: 401 without `Authorization: Key <key>`, 422 `{"detail":[{loc,msg,type}]}`, 5xx with X-Fal-Retryable.
// Behaviours (named for what they do): fal-429-then-ok, fal-500-then-ok, fal-422, fal-job-fails, fal-output-expires.
import { randomUUID } from "node:crypto";
import {
  audioSeconds,
  cliOptions,
  type HostedFakeOptions,
  type HostedFakeServer,
  hostedFakeParts,
  isMain,
  Once,
  serveHostedFake,
} from "../shared/hosted.js";
import { readBody, sendJson } from "../shared/http.js";

export type FalBehaviour =
  | "fal-429-then-ok"
  | "fal-500-then-ok"
  | "fal-422"
  | "fal-job-fails"
  | "fal-output-expires";

export interface FalFakeOptions extends HostedFakeOptions<FalBehaviour> {
  /** The key the fake accepts (`Authorization: Key <key>`); default "fal-test-key". */
  key?: string;
  /** Jobs running at once (default 2, as a new fal account); the rest are IN_QUEUE with a position. */
  concurrency?: number;
  /** With fal-output-expires: how long a result link lives (default 1500 ms). */
  resultTtlMs?: number;
}

export type FalFake = HostedFakeServer;

/** Models the fake knows: InfiniteTalk renders `num_frames`; OmniHuman follows the audio. Both 25 fps. */
const MODELS: Record<string, { framesFrom: "num_frames" | "audio"; fps: number; promptRequired: boolean }> = {
  "fal-ai/infinitalk": { framesFrom: "num_frames", fps: 25, promptRequired: true },
  "fal-ai/bytedance/omnihuman/v1.5": { framesFrom: "audio", fps: 25, promptRequired: false },
  "fal-ai/bytedance/omnihuman": { framesFrom: "audio", fps: 25, promptRequired: false },
};

export async function startFalFake(options: FalFakeOptions = {}): Promise<FalFake> {
  const key = options.key ?? "fal-test-key";
  const { tools, behaviours, jobs, files, stats } = hostedFakeParts("fal", options, {
    concurrency: 2,
    failWith: "CUDA out of memory",
  });
  const once = new Once({ "fal-429-then-ok": 1, "fal-500-then-ok": 1 });
  const uploadTokens = new Map<string, string>();
  let base = "";

  const server = await serveHostedFake({
    jobs,
    files,
    stats,
    port: options.port,
    onError: (res, message) => sendJson(res, 500, { detail: message }),
    route: async (req, res, url) => {
      const path = url.pathname;
      // The signed upload URL needs no key, as a real pre-signed storage URL.
      const put = /^\/storage\/put\/([^/]+)$/.exec(path);
      if (put && req.method === "PUT") {
        const name = uploadTokens.get(put[1]!);
        if (!name) return sendJson(res, 403, { detail: "upload URL expired" });
        const body = await readBody(req);
        await files.save(name, body ?? Buffer.alloc(0));
        stats.uploads++;
        res.writeHead(200).end();
        return;
      }
      if (req.headers.authorization !== `Key ${key}`) {
        stats.refusedAuth++;
        return sendJson(res, 401, {
          detail: req.headers.authorization
            ? "Invalid authentication credentials"
            : "No authentication provided",
        });
      }
      if (path === "/storage/upload/initiate" && req.method === "POST") {
        const body = JSON.parse((await readBody(req))?.toString("utf8") || "{}") as { file_name?: string };
        const name = `${randomUUID().slice(0, 8)}-${(body.file_name ?? "file").replace(/[^A-Za-z0-9._-]/g, "_")}`;
        const token = randomUUID();
        uploadTokens.set(token, name);
        return sendJson(res, 200, {
          upload_url: `${base}/storage/put/${token}`,
          file_url: `${base}/uploads/${name}`,
        });
      }
      const request = /^\/([^/]+)\/([^/]+)\/requests\/([^/]+)(\/status|\/cancel)?$/.exec(path);
      if (request) {
        const [, owner, app, id, tail] = request;
        const job = jobs.get(id!);
        if (!job || job.meta.root !== `${owner}/${app}`)
          return sendJson(res, 404, { detail: "Request not found" });
        const responseUrl = `${base}/${owner}/${app}/requests/${id}`;
        if (tail === "/cancel" && req.method === "PUT") {
          stats.cancels++;
          const was = jobs.cancel(id!);
          if (was === "queued" || was === "running")
            return sendJson(res, 202, { status: "CANCELLATION_REQUESTED" });
          return sendJson(res, 400, { status: "ALREADY_COMPLETED" });
        }
        if (tail === "/status" && req.method === "GET") {
          stats.polls++;
          if (behaviours.has("fal-500-then-ok") && once.take("fal-500-then-ok")) {
            res.setHeader("x-fal-retryable", "true");
            return sendJson(res, 503, { detail: "Service temporarily unavailable" });
          }
          const logs = url.searchParams.get("logs") === "1";
          const logLines = job.logs.map((message) => ({
            message,
            level: "INFO",
            source: "stdout",
            timestamp: new Date().toISOString(),
          }));
          if (job.state === "queued") {
            return sendJson(res, 202, {
              status: "IN_QUEUE",
              queue_position: jobs.queuePosition(id!),
              response_url: responseUrl,
            });
          }
          if (job.state === "running") {
            return sendJson(res, 202, {
              status: "IN_PROGRESS",
              response_url: responseUrl,
              ...(logs ? { logs: logLines } : {}),
            });
          }
          return sendJson(res, 200, {
            status: "COMPLETED",
            response_url: responseUrl,
            ...(logs ? { logs: logLines } : {}),
            metrics: { inference_time: ((job.finishedAt ?? 0) - (job.startedAt ?? 0)) / 1000 },
          });
        }
        if (!tail && req.method === "GET") {
          if (job.state === "queued" || job.state === "running")
            return sendJson(res, 400, { detail: "Request is still in progress" });
          if (job.state === "cancelled") return sendJson(res, 400, { detail: "Request was cancelled" });
          if (job.state === "failed") return sendJson(res, 500, { detail: job.error ?? "failed" });
          return sendJson(res, 200, {
            video: { url: `${base}/results/${id}.mp4`, content_type: "video/mp4", file_name: `${id}.mp4` },
            seed: job.meta.seed,
          });
        }
        return sendJson(res, 405, { detail: "Method not allowed" });
      }
      if (req.method === "POST") {
        const model = path.slice(1);
        const spec = MODELS[model];
        if (!spec) return sendJson(res, 404, { detail: `Application '${model}' not found` });
        stats.submits++;
        if (behaviours.has("fal-429-then-ok") && once.take("fal-429-then-ok")) {
          res.setHeader("retry-after", "2");
          return sendJson(res, 429, { detail: "Too many requests" });
        }
        const input = JSON.parse((await readBody(req))?.toString("utf8") || "{}") as Record<string, unknown>;
        const errors: { loc: string[]; msg: string; type: string }[] = [];
        const image = await files.resolve(input.image_url, base);
        const audio = await files.resolve(input.audio_url, base);
        if (!image)
          errors.push({
            loc: ["body", "image_url"],
            msg: "Could not download the image",
            type: "image_load_error",
          });
        if (!audio)
          errors.push({
            loc: ["body", "audio_url"],
            msg: "Could not download the audio",
            type: "audio_load_error",
          });
        if (spec.promptRequired && typeof input.prompt !== "string")
          errors.push({ loc: ["body", "prompt"], msg: "field required", type: "value_error.missing" });
        if (behaviours.has("fal-422"))
          errors.push({
            loc: ["body", "image_url"],
            msg: "No face detected in the image",
            type: "face_detection_error",
          });
        if (errors.length > 0) return sendJson(res, 422, { detail: errors });
        let frames: number;
        if (spec.framesFrom === "num_frames") {
          frames = Number(input.num_frames ?? 145);
          if (!Number.isInteger(frames) || frames < 41 || frames > 721)
            return sendJson(res, 422, {
              detail: [
                {
                  loc: ["body", "num_frames"],
                  msg: "ensure this value is between 41 and 721",
                  type: "value_error",
                },
              ],
            });
        } else {
          frames = Math.ceil((await audioSeconds(tools, audio!)) * spec.fps);
        }
        const parts = model.split("/");
        const root = `${parts[0]}/${parts[1]}`;
        const job = jobs.create({
          image: image!,
          frames,
          fps: spec.fps,
          seed: Number(input.seed ?? 0),
          meta: { root, input },
        });
        const u = `${base}/${root}/requests/${job.id}`;
        return sendJson(res, 200, {
          request_id: job.id,
          response_url: u,
          status_url: `${u}/status`,
          cancel_url: `${u}/cancel`,
          queue_position: jobs.queuePosition(job.id) ?? 0,
        });
      }
      sendJson(res, 404, { detail: "Not found" });
    },
  });
  base = server.url;
  return server;
}

if (isMain(import.meta.url)) {
  const { behaviours, port } = cliOptions<FalBehaviour>("fal-");
  const fake = await startFalFake({ behaviours, port });
  console.log(
    `fal fake on ${fake.url} (key "fal-test-key")${behaviours.length ? `, behaviours: ${behaviours.join(", ")}` : ""}`,
  );
}
