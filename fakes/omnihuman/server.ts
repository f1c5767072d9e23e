// A protocol-faithful fake of Volcengine's visual API for OmniHuman (Jimeng) on 127.0.0.1 (BACKENDS.md "ByteDance OmniHuman").
//
//   POST /?Action=CVSubmitTask&Version=2022-08-31 {req_key, image_url, audio_url, prompt?, output_resolution?}
//        → {code:10000, data:{task_id}, message:"Success", request_id, status:10000}
//   POST /?Action=CVGetResult&Version=2022-08-31 {req_key, task_id}
//        → {code:10000, data:{status: in_queue|generating|done|not_found|expired, video_url?}}
// Every request must carry a valid V4 HMAC-SHA256 signature (service cv, region cn-north-1), checked with
// the secret the fake was given: else 401 ResponseMetadata.Error SignatureDoesNotMatch. URLs must be
// public (the fake also takes data URIs). Audio of 60 s or more → code 50215 (code unverified). Video 25 fps.
// Behaviours: omnihuman-429-then-ok (code 50429), omnihuman-job-fails, omnihuman-output-expires (1 h for real).
import { signRequest } from "../../src/providers/omnihuman/sign.js";
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

export type OmniHumanBehaviour = "omnihuman-429-then-ok" | "omnihuman-job-fails" | "omnihuman-output-expires";

export interface OmniHumanFakeOptions extends HostedFakeOptions<OmniHumanBehaviour> {
  accessKey?: string;
  secretKey?: string;
}

export type OmniHumanFake = HostedFakeServer;

const REQ_KEYS = new Set([
  "jimeng_realman_avatar_picture_omni_v15",
  "jimeng_realman_avatar_picture_omni_v2",
  "realman_avatar_picture_omni15_cv",
]);

export async function startOmniHumanFake(options: OmniHumanFakeOptions = {}): Promise<OmniHumanFake> {
  const accessKey = options.accessKey ?? "AKLTtestaccess";
  const secretKey = options.secretKey ?? "test-secret-key";
  const { tools, behaviours, jobs, files, stats } = hostedFakeParts("omnihuman", options, {
    concurrency: 1,
    failWith: "Internal Error: generation failed",
  });
  const once = new Once({ "omnihuman-429-then-ok": 1 });
  let base = "";
  const rid = () => `fake${Date.now()}`;
  const reply = (
    res: import("node:http").ServerResponse,
    http: number,
    code: number,
    message: string,
    data: unknown = null,
  ) => sendJson(res, http, { code, data, message, request_id: rid(), status: code, time_elapsed: "1ms" });

  const view = (job: FakeJob) => {
    const status = {
      queued: "in_queue",
      running: "generating",
      succeeded: "done",
      failed: "done",
      cancelled: "not_found",
    }[job.state];
    return {
      status,
      video_url: job.state === "succeeded" ? `${base}/results/${job.id}.mp4` : "",
      resp_data: "",
    };
  };

  const server = await serveHostedFake({
    jobs,
    files,
    stats,
    port: options.port,
    expiredStatus: 403,
    onError: (res, message) => reply(res, 500, 50500, message),
    route: async (req, res, url) => {
      const body = ((await readBody(req)) ?? Buffer.alloc(0)).toString("utf8");
      const auth = String(req.headers.authorization ?? "");
      const date = String(req.headers["x-date"] ?? "");
      const signed = /SignedHeaders=([^,]+)/.exec(auth)?.[1]?.split(";") ?? [];
      const headers: Record<string, string> = {};
      for (const h of signed)
        if (!["host", "x-date", "x-content-sha256"].includes(h)) headers[h] = String(req.headers[h] ?? "");
      const when = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(date);
      const expected = when
        ? signRequest({
            accessKey,
            secretKey,
            region: "cn-north-1",
            service: "cv",
            method: req.method ?? "POST",
            url: new URL(`http://${req.headers.host}${req.url}`),
            headers,
            body,
            date: new Date(`${when[1]}-${when[2]}-${when[3]}T${when[4]}:${when[5]}:${when[6]}Z`),
          }).Authorization
        : "";
      if (!when || auth !== expected) {
        stats.refusedAuth++;
        return sendJson(res, 401, {
          ResponseMetadata: {
            RequestId: rid(),
            Action: url.searchParams.get("Action"),
            Version: url.searchParams.get("Version"),
            Service: "cv",
            Region: "cn-north-1",
            Error: {
              CodeN: 100010,
              Code: "SignatureDoesNotMatch",
              Message: "The request signature we calculated does not match the signature you provided.",
            },
          },
        });
      }
      const action = url.searchParams.get("Action");
      const input = JSON.parse(body || "{}") as Record<string, unknown>;
      if (!REQ_KEYS.has(String(input.req_key))) return reply(res, 400, 50400, "Invalid req_key");
      if (action === "CVSubmitTask") {
        stats.submits++;
        if (behaviours.has("omnihuman-429-then-ok") && once.take("omnihuman-429-then-ok"))
          return reply(res, 429, 50429, "Request Has Reached API Limit, Please Try Later");
        const image = await files.resolve(input.image_url, base);
        const audio = await files.resolve(input.audio_url, base);
        if (!image || !audio)
          return reply(
            res,
            400,
            50400,
            `Invalid Argument: cannot download ${image ? "audio_url" : "image_url"}`,
          );
        const seconds = await audioSeconds(tools, audio);
        if (seconds >= 60)
          return reply(
            res,
            400,
            50215,
            "Input invalid for this service: audio duration must be less than 60s",
          );
        const job = jobs.create({
          image,
          frames: Math.ceil(seconds * 25),
          fps: 25,
          seed: Number(input.seed ?? 0),
        });
        return reply(res, 200, 10000, "Success", { task_id: job.id });
      }
      if (action === "CVGetResult") {
        stats.polls++;
        const job = jobs.get(String(input.task_id));
        if (!job) return reply(res, 200, 10000, "Success", { status: "not_found", video_url: "" });
        if (job.state === "failed") return reply(res, 500, 50500, job.error ?? "Internal Error");
        return reply(res, 200, 10000, "Success", view(job));
      }
      return reply(res, 404, 50404, `unknown Action ${action}`);
    },
  });
  base = server.url;
  return server;
}

if (isMain(import.meta.url)) {
  const { behaviours, port } = cliOptions<OmniHumanBehaviour>("omnihuman-");
  const fake = await startOmniHumanFake({ behaviours, port });
  console.log(
    `omnihuman (Volcengine) fake on ${fake.url} (VOLC_ACCESSKEY=AKLTtestaccess VOLC_SECRETKEY=test-secret-key)`,
  );
}
