// A protocol-faithful fake of Alibaba Model Studio (DashScope) async video tasks on 127.0.0.1 (BACKENDS.md "Alibaba Model Studio").
//
//   POST /api/v1/services/aigc/image2video/video-synthesis    wan2.2-s2v {input:{image_url,audio_url}, parameters:{resolution}}
//   POST /api/v1/services/aigc/video-generation/video-synthesis wan2.5-i2v-preview {input:{prompt,img_url,audio_url}, parameters:{resolution,duration}}
//                                                               wan2.7-i2v {input:{prompt,media:[{type,url}]}, parameters:{resolution,duration}}
//        both need `X-DashScope-Async: enable` → {output:{task_id, task_status:"PENDING"}, request_id}
//   POST /api/v1/services/aigc/image2video/face-detect {model:"wan2.2-s2v-detect", input:{image_url}} → {output:{check_pass, humanoid}}
//   GET  /api/v1/tasks/{id} → {output:{task_id, task_status, results?:{video_url}, video_url?, code?, message?}, usage:{video_duration}}
//        an unknown id answers task_status UNKNOWN (as for tasks past their 24 h)
//   POST /api/v1/tasks/{id}/cancel → only PENDING tasks can be cancelled
// Errors: 401 InvalidApiKey; 400 InvalidParameter (audio ≥ 20 s for s2v…); 429 Throttling.RateQuota.
// Behaviours: alibaba-one-task (a second task while one is unfinished is throttled), alibaba-face-fails,
// alibaba-job-fails, alibaba-429-then-ok, alibaba-output-expires.
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
import { readBody, sendJson } from "../shared/http.js";

export type AlibabaBehaviour =
  | "alibaba-one-task"
  | "alibaba-face-fails"
  | "alibaba-job-fails"
  | "alibaba-429-then-ok"
  | "alibaba-output-expires";

export interface AlibabaFakeOptions extends HostedFakeOptions<AlibabaBehaviour> {
  /** Accepted key (`Authorization: Bearer <key>`); default "sk-test-key". */
  key?: string;
  /** Tasks running at once (default 1, as the documented limit; more wait PENDING). */
  concurrency?: number;
}

export interface AlibabaFake extends HostedFakeServer {
  /** Face checks answered (each is billed by the real service). */
  faceChecks(): number;
}

/** Output fps per model: 16 for S2V (assumed like the model), 24 for 2.5 and 30 for 2.7 (unverified). */
const FPS: Record<string, number> = { "wan2.2-s2v": 16, "wan2.5-i2v-preview": 24, "wan2.7-i2v": 30 };

export async function startAlibabaFake(options: AlibabaFakeOptions = {}): Promise<AlibabaFake> {
  const key = options.key ?? "sk-test-key";
  const { tools, behaviours, jobs, files, stats } = hostedFakeParts("alibaba", options, {
    concurrency: 1,
    failWith: "InternalError.Algo: the person in the image could not be driven",
  });
  const once = new Once({ "alibaba-429-then-ok": 1 });
  let faceChecks = 0;
  let base = "";
  const requestId = () => `fake-${Math.random().toString(16).slice(2, 10)}`;
  const bad = (res: import("node:http").ServerResponse, message: string) =>
    sendJson(res, 400, { code: "InvalidParameter", message, request_id: requestId() });

  const taskView = (job: FakeJob) => {
    const status = {
      queued: "PENDING",
      running: "RUNNING",
      succeeded: "SUCCEEDED",
      failed: "FAILED",
      cancelled: "CANCELED",
    }[job.state];
    const url = `${base}/results/${job.id}.mp4`;
    const done = job.state === "succeeded";
    const s2v = job.meta.model === "wan2.2-s2v";
    return {
      request_id: requestId(),
      output: {
        task_id: job.id,
        task_status: status,
        submit_time: new Date(job.createdAt).toISOString(),
        ...(done && s2v ? { results: { video_url: url } } : {}),
        ...(done && !s2v ? { video_url: url } : {}),
        ...(job.state === "failed" ? { code: "InternalError.Algo", message: job.error } : {}),
      },
      ...(done
        ? { usage: { video_duration: job.frames / job.fps, video_ratio: String(job.meta.resolution ?? "") } }
        : {}),
    };
  };

  const server = await serveHostedFake({
    jobs,
    files,
    stats,
    port: options.port,
    expiredStatus: 403,
    onError: (res, message) => sendJson(res, 500, { code: "InternalError", message }),
    route: async (req, res, url) => {
      const path = url.pathname;
      if (req.headers.authorization !== `Bearer ${key}`) {
        stats.refusedAuth++;
        return sendJson(res, 401, {
          code: "InvalidApiKey",
          message: "Invalid API-key provided.",
          request_id: requestId(),
        });
      }
      const task = /^\/api\/v1\/tasks\/([^/]+)(\/cancel)?$/.exec(path);
      if (task) {
        const job = jobs.get(task[1]!);
        if (task[2] && req.method === "POST") {
          stats.cancels++;
          if (job?.state !== "queued") {
            return sendJson(res, 400, {
              code: "UnsupportedOperation",
              message: "Failed to cancel the task, please confirm if the task is in PENDING status.",
              request_id: requestId(),
            });
          }
          jobs.cancel(job.id);
          return sendJson(res, 200, { request_id: requestId() });
        }
        stats.polls++;
        if (!job)
          return sendJson(res, 200, {
            request_id: requestId(),
            output: { task_id: task[1], task_status: "UNKNOWN" },
          });
        return sendJson(res, 200, taskView(job));
      }
      if (req.method !== "POST") return sendJson(res, 404, { code: "NotFound", message: "not found" });
      const body = JSON.parse((await readBody(req))?.toString("utf8") || "{}") as {
        model?: string;
        input?: Record<string, unknown>;
        parameters?: Record<string, unknown>;
      };
      const input = body.input ?? {};
      if (path === "/api/v1/services/aigc/image2video/face-detect") {
        if (body.model !== "wan2.2-s2v-detect") return bad(res, "Model not exist.");
        faceChecks++;
        if (!(await files.resolve(input.image_url, base)))
          return bad(res, "The image_url could not be downloaded.");
        const pass = !behaviours.has("alibaba-face-fails");
        return sendJson(res, 200, {
          request_id: requestId(),
          output: { check_pass: pass, humanoid: pass },
          usage: { image_count: 1 },
        });
      }
      const s2vRoute = path === "/api/v1/services/aigc/image2video/video-synthesis";
      const i2vRoute = path === "/api/v1/services/aigc/video-generation/video-synthesis";
      if (!s2vRoute && !i2vRoute) return sendJson(res, 404, { code: "NotFound", message: "not found" });
      stats.submits++;
      if (req.headers["x-dashscope-async"] !== "enable")
        return bad(res, "current user api does not support synchronous calls");
      if (behaviours.has("alibaba-429-then-ok") && once.take("alibaba-429-then-ok")) {
        return sendJson(res, 429, {
          code: "Throttling.RateQuota",
          message: "Requests rate limit exceeded, please try again later.",
          request_id: requestId(),
        });
      }
      if (
        behaviours.has("alibaba-one-task") &&
        jobs.all().some((j) => j.state === "queued" || j.state === "running")
      ) {
        return sendJson(res, 429, {
          code: "Throttling",
          message: "Too many concurrent tasks: only 1 task may run at a time.",
          request_id: requestId(),
        });
      }
      const model = String(body.model);
      const fps = FPS[model];
      if (!fps || (model === "wan2.2-s2v") !== s2vRoute) return bad(res, "Model not exist.");
      const params = body.parameters ?? {};
      let imageUrl = input.image_url ?? input.img_url;
      let audioUrl = input.audio_url;
      if (model === "wan2.7-i2v") {
        const media = (input.media ?? []) as { type?: string; url?: string }[];
        imageUrl = media.find((m) => m.type === "first_frame")?.url;
        audioUrl = media.find((m) => m.type === "driving_audio")?.url;
      }
      const image = await files.resolve(imageUrl, base);
      if (!image) return bad(res, "The image could not be downloaded.");
      const audio = await files.resolve(audioUrl, base);
      if (!audio) return bad(res, "The audio could not be downloaded.");
      const seconds = await audioSeconds(tools, audio);
      let frames: number;
      if (model === "wan2.2-s2v") {
        if (seconds >= 20) return bad(res, "The audio duration must be less than 20 seconds.");
        frames = Math.ceil(seconds * fps);
      } else {
        const duration = Number(params.duration ?? 5);
        const allowed =
          model === "wan2.5-i2v-preview"
            ? [5, 10].includes(duration)
            : Number.isInteger(duration) && duration >= 2 && duration <= 15;
        if (!allowed) return bad(res, `duration ${duration} is not supported by ${model}.`);
        frames = duration * fps;
      }
      const job = jobs.create({
        image,
        frames,
        fps,
        seed: Number(params.seed ?? 0),
        meta: { model, resolution: params.resolution },
      });
      return sendJson(res, 200, {
        request_id: requestId(),
        output: { task_id: job.id, task_status: "PENDING" },
      });
    },
  });
  base = server.url;
  return { ...server, faceChecks: () => faceChecks };
}

if (isMain(import.meta.url)) {
  const { behaviours, port } = cliOptions<AlibabaBehaviour>("alibaba-");
  const fake = await startAlibabaFake({ behaviours, port });
  console.log(`alibaba (DashScope) fake on ${fake.url} (key "sk-test-key")`);
}
