// A protocol-faithful fake of Replicate's predictions and files API on 127.0.0.1 (written from BACKENDS.md "Replicate").
//
//   POST /v1/models/{owner}/{name}/predictions {input}   (or POST /v1/predictions {version, input})
//        `Prefer: wait[=n]` holds the answer until the prediction ends or n s (≤ 60) pass
//   GET  /v1/predictions/{id}        → {id, status: starting|processing|succeeded|failed|canceled|aborted, output, error, logs, urls:{get,cancel}}
//   POST /v1/predictions/{id}/cancel → the prediction
//   POST /v1/files (multipart "content") → {id, size, checksums:{sha256}, urls:{get}}
// Errors: 401 {title,detail,status}; 422 "Input validation failed"; 429 "Request was throttled. Your rate limit resets in ~30s."
// Behaviours: replicate-429-then-ok, replicate-422, replicate-job-fails, replicate-aborted, replicate-output-expires.
import { createHash, randomBytes } from "node:crypto";
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
import { parseMultipart, readBody, sendJson, sleep } from "../shared/http.js";

export type ReplicateBehaviour =
  | "replicate-429-then-ok"
  | "replicate-422"
  | "replicate-job-fails"
  | "replicate-aborted"
  | "replicate-output-expires";

export interface ReplicateFakeOptions extends HostedFakeOptions<ReplicateBehaviour> {
  /** Accepted token (`Authorization: Bearer <token>`); default "r8_test_token". */
  token?: string;
  /** With replicate-output-expires: how long outputs live (default 1500 ms; the real service: 1 h). */
  resultTtlMs?: number;
}

export type ReplicateFake = HostedFakeServer;

/** Models the fake runs (25 fps): frames from `num_frames` when given, else from the audio's length. */
const MODELS = new Set(["bytedance/omni-human"]);

export async function startReplicateFake(options: ReplicateFakeOptions = {}): Promise<ReplicateFake> {
  const token = options.token ?? "r8_test_token";
  const { tools, behaviours, jobs, files, stats } = hostedFakeParts("replicate", options, {
    concurrency: 4,
    failWith: "RuntimeError: CUDA error: out of memory",
  });
  const once = new Once({ "replicate-429-then-ok": 1 });
  let base = "";

  const view = (job: FakeJob) => {
    const aborted = behaviours.has("replicate-aborted") && job.state !== "cancelled";
    const status = aborted
      ? "aborted"
      : {
          queued: "starting",
          running: "processing",
          succeeded: "succeeded",
          failed: "failed",
          cancelled: "canceled",
        }[job.state];
    return {
      id: job.id,
      model: job.meta.model,
      version: job.meta.version ?? "",
      input: job.meta.input,
      status,
      output: job.state === "succeeded" && !aborted ? `${base}/results/${job.id}.mp4` : null,
      error: job.state === "failed" && !aborted ? job.error : null,
      logs: job.logs.join("\n"),
      created_at: new Date(job.createdAt).toISOString(),
      urls: { get: `${base}/v1/predictions/${job.id}`, cancel: `${base}/v1/predictions/${job.id}/cancel` },
    };
  };

  const server = await serveHostedFake({
    jobs,
    files,
    stats,
    port: options.port,
    onError: (res, message) => sendJson(res, 500, { detail: message }),
    route: async (req, res, url) => {
      const path = url.pathname;
      if (req.headers.authorization !== `Bearer ${token}`) {
        stats.refusedAuth++;
        return sendJson(res, 401, {
          title: "Unauthenticated",
          detail: "You did not pass a valid authentication token",
          status: 401,
        });
      }
      if (path === "/v1/files" && req.method === "POST") {
        const body = (await readBody(req)) ?? Buffer.alloc(0);
        const form = await parseMultipart(String(req.headers["content-type"]), body);
        const content = form.get("content");
        if (!(content instanceof Blob)) return sendJson(res, 400, { detail: "missing content" });
        const bytes = Buffer.from(await content.arrayBuffer());
        const id = randomBytes(8).toString("hex");
        await files.save(id, bytes);
        stats.uploads++;
        return sendJson(res, 201, {
          id,
          name: (content as File).name ?? id,
          content_type: content.type,
          size: bytes.length,
          checksums: { sha256: createHash("sha256").update(bytes).digest("hex") },
          urls: { get: `${base}/uploads/${id}` },
        });
      }
      const one = /^\/v1\/predictions\/([^/]+)(\/cancel)?$/.exec(path);
      if (one) {
        const job = jobs.get(one[1]!);
        if (!job)
          return sendJson(res, 404, { title: "Not found", detail: "Prediction not found", status: 404 });
        if (one[2] && req.method === "POST") {
          stats.cancels++;
          jobs.cancel(job.id);
          return sendJson(res, 200, view(job));
        }
        stats.polls++;
        return sendJson(res, 200, view(job));
      }
      const create = /^\/v1\/models\/([^/]+)\/([^/]+)\/predictions$/.exec(path);
      if ((create || path === "/v1/predictions") && req.method === "POST") {
        stats.submits++;
        if (behaviours.has("replicate-429-then-ok") && once.take("replicate-429-then-ok")) {
          return sendJson(res, 429, {
            detail: "Request was throttled. Your rate limit resets in ~30s.",
            status: 429,
          });
        }
        const body = JSON.parse((await readBody(req))?.toString("utf8") || "{}") as {
          input?: Record<string, unknown>;
          version?: string;
        };
        const model = create ? `${create[1]}/${create[2]}` : "bytedance/omni-human";
        if (create && !MODELS.has(model))
          return sendJson(res, 404, { title: "Not found", detail: `Model ${model} not found`, status: 404 });
        const input = body.input ?? {};
        const image = await files.resolve(input.image, base);
        const audio = await files.resolve(input.audio, base);
        const invalid: string[] = [];
        if (!image) invalid.push("- input.image: could not read the file");
        if (!audio) invalid.push("- input.audio: could not read the file");
        if (behaviours.has("replicate-422"))
          invalid.push("- input.audio: Audio must be shorter than 15 seconds");
        if (invalid.length)
          return sendJson(res, 422, {
            title: "Input validation failed",
            detail: invalid.join("\n"),
            status: 422,
          });
        const frames =
          input.num_frames !== undefined
            ? Number(input.num_frames)
            : Math.ceil((await audioSeconds(tools, audio!)) * 25);
        const job = jobs.create({
          image: image!,
          frames,
          fps: 25,
          seed: Number(input.seed ?? 0),
          meta: { model, version: body.version, input: { ...input, image: "…", audio: "…" } },
        });
        const wait = /^wait(?:=(\d+))?$/.exec(String(req.headers.prefer ?? ""));
        if (wait) {
          const until = Date.now() + Math.min(60, Number(wait[1] ?? 60)) * 1000;
          while (Date.now() < until && (job.state === "queued" || job.state === "running")) await sleep(50);
        }
        return sendJson(res, 201, view(job));
      }
      sendJson(res, 404, { title: "Not found", detail: "Not found", status: 404 });
    },
  });
  base = server.url;
  return server;
}

if (isMain(import.meta.url)) {
  const { behaviours, port } = cliOptions<ReplicateBehaviour>("replicate-");
  const fake = await startReplicateFake({ behaviours, port });
  console.log(`replicate fake on ${fake.url} (token "r8_test_token")`);
}
