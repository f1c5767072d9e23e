// A protocol-faithful fake of the ACE-Step 1.5 API server (acestep/api_server.py) on 127.0.0.1, answering real audio.
//
// Routes (from BACKENDS.md "Music", docs/en/API.md and acestep/api/http/*):
//   POST /release_task {prompt, lyrics, audio_duration, batch_size, audio_format, seed, …}
//        → {data:{task_id, status:"queued", queue_position}, code:200, error:null, timestamp, extra:null}
//   POST /query_result {task_id_list} → data:[{task_id, status 0|1|2, result:"<JSON string>", progress_text}]
//        a done task's result: [{file:"/v1/audio?path=…", status:1, metas:{bpm,duration,keyscale,…}, seed_value, prompt, lyrics}]
//        an unknown task_id: {status:0, result:"[]"} — forever, never "not found" (so a client needs its own deadline)
//   GET  /v1/audio?path=   the audio file;   GET /health;   GET /v1/models
// With a key set (ACESTEP_API_KEY on the real server): 401 {"detail":"Missing Authorization header" | "Invalid API key"}.
// Behaviours: acestep-queue-full-once (429 "Server busy: queue is full" once), acestep-fails (every task ends
// status 2 with an error), acestep-restarted (the server forgot every task: status 0 and "[]" forever).
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findTools, runFfmpeg, type Tools } from "../../src/media/index.js";
import { isMain, Once } from "../shared/hosted.js";
import { createServer, listenWithScratch, readBody, sendJson } from "../shared/http.js";

export type AceStepBehaviour = "acestep-queue-full-once" | "acestep-fails" | "acestep-restarted";

export interface AceStepFakeOptions {
  /** When set, every route wants `Authorization: Bearer <key>`, as with ACESTEP_API_KEY on the server. */
  key?: string;
  behaviours?: readonly AceStepBehaviour[];
  /** Polls of /query_result a task stays running (default 2). */
  pollsToFinish?: number;
  port?: number;
  tools?: Tools;
}

export interface AceStepFake {
  url: string;
  /** Requests seen, "METHOD path", in order. */
  requests: string[];
  /** The release_task bodies as sent. */
  bodies: Record<string, unknown>[];
  close(): Promise<void>;
}

interface Task {
  id: string;
  polls: number;
  body: Record<string, unknown>;
  files: string[];
}

const FORMATS: Record<string, string[]> = {
  mp3: ["-c:a", "libmp3lame", "-b:a", "64k"],
  wav: ["-c:a", "pcm_s16le"],
  flac: ["-c:a", "flac"],
};

export async function startAceStepFake(options: AceStepFakeOptions = {}): Promise<AceStepFake> {
  const tools = options.tools ?? findTools(process.env);
  const behaviours = new Set(options.behaviours ?? []);
  const once = new Once({ "acestep-queue-full-once": behaviours.has("acestep-queue-full-once") ? 1 : 0 });
  const pollsToFinish = options.pollsToFinish ?? 2;
  // Where the real server keeps its outputs; the fake's paths look like its own.
  const outputs = await mkdtemp(join(tmpdir(), "acestep-fake-"));
  const tasks = new Map<string, Task>();
  const requests: string[] = [];
  const bodies: Record<string, unknown>[] = [];

  const wrap = (data: unknown, code = 200, error: string | null = null) => ({
    data,
    code,
    error,
    timestamp: Date.now(),
    extra: null,
  });

  /** Renders the batch's songs: a different tone per song, so two songs of a batch differ. */
  async function render(task: Task): Promise<void> {
    const format = String(task.body.audio_format ?? "mp3");
    const seconds = Number(task.body.audio_duration ?? 30);
    const batch = Number(task.body.batch_size ?? 2);
    for (let i = 0; i < batch; i++) {
      const file = join(outputs, `${task.id}_${i}.${format}`);
      await runFfmpeg(tools, [
        "-f",
        "lavfi",
        "-i",
        `sine=frequency=${330 + 110 * i}:duration=${seconds}:sample_rate=48000`,
        ...FORMATS[format]!,
        file,
      ]);
      task.files.push(file);
    }
  }

  const authorised = (header: string | undefined): string | null => {
    if (options.key === undefined) return null;
    if (!header) return "Missing Authorization header";
    const token = header.startsWith("Bearer ") ? header.slice(7) : header;
    return token === options.key ? null : "Invalid API key";
  };

  const server = createServer(async (req, res) => {
    const u = new URL(req.url ?? "/", "http://x");
    requests.push(`${req.method} ${u.pathname}`);
    const raw = await readBody(req);
    const refused = authorised(req.headers.authorization);
    if (refused && u.pathname !== "/health") return sendJson(res, 401, { detail: refused });

    if (req.method === "GET" && u.pathname === "/health") {
      return sendJson(res, 200, wrap({ status: "ok", service: "ACE-Step API", version: "1.0" }));
    }
    if (req.method === "GET" && u.pathname === "/v1/models") {
      return sendJson(res, 200, wrap({ models: [{ name: "acestep-v15-turbo", is_default: true }] }));
    }
    if (req.method === "GET" && u.pathname === "/v1/audio") {
      const path = u.searchParams.get("path") ?? "";
      if (!path.startsWith(outputs) || !existsSync(path))
        return sendJson(res, 404, { detail: "Audio file not found" });
      const bytes = await readFile(path);
      const type = path.endsWith(".wav") ? "audio/wav" : path.endsWith(".flac") ? "audio/flac" : "audio/mpeg";
      res.writeHead(200, { "content-type": type, "content-length": bytes.length });
      res.end(bytes);
      return;
    }
    let body: Record<string, unknown>;
    try {
      body = raw?.length ? (JSON.parse(raw.toString("utf8")) as Record<string, unknown>) : {};
    } catch {
      return sendJson(res, 400, { detail: "Invalid JSON body" });
    }
    if (req.method === "POST" && u.pathname === "/release_task") {
      bodies.push(body);
      if (once.take("acestep-queue-full-once"))
        return sendJson(res, 429, { detail: "Server busy: queue is full" });
      const format = String(body.audio_format ?? "mp3");
      if (!FORMATS[format]) return sendJson(res, 400, { detail: `Unsupported audio_format: ${format}` });
      const batch = Number(body.batch_size ?? 2);
      if (!Number.isInteger(batch) || batch < 1 || batch > 8)
        return sendJson(res, 400, { detail: "batch_size must be between 1 and 8" });
      const task: Task = { id: randomUUID(), polls: 0, body, files: [] };
      tasks.set(task.id, task);
      return sendJson(res, 200, wrap({ task_id: task.id, status: "queued", queue_position: tasks.size }));
    }
    if (req.method === "POST" && u.pathname === "/query_result") {
      let ids = body.task_id_list;
      if (typeof ids === "string") {
        try {
          ids = JSON.parse(ids);
        } catch {
          ids = [ids];
        }
      }
      if (!Array.isArray(ids)) return sendJson(res, 400, { detail: "task_id_list is required" });
      const out = [];
      for (const id of ids as string[]) {
        const task = behaviours.has("acestep-restarted") ? undefined : tasks.get(id);
        if (!task) {
          out.push({ task_id: id, status: 0, result: "[]", progress_text: "" });
          continue;
        }
        task.polls++;
        if (task.polls < pollsToFinish) {
          const created = Math.floor(Date.now() / 1000);
          out.push({
            task_id: id,
            status: 0,
            result: JSON.stringify([{ status: 0, create_time: created }]),
            progress_text: "Generating music (step 4/8)",
          });
          continue;
        }
        if (behaviours.has("acestep-fails")) {
          out.push({
            task_id: id,
            status: 2,
            result: JSON.stringify([{ file: "", status: 2, error: "CUDA out of memory" }]),
            progress_text: "failed",
          });
          continue;
        }
        if (task.files.length === 0) await render(task);
        const seconds = Number(task.body.audio_duration ?? 30);
        out.push({
          task_id: id,
          status: 1,
          result: JSON.stringify(
            task.files.map((f, i) => ({
              file: `/v1/audio?path=${encodeURIComponent(f)}`,
              wave: "",
              status: 1,
              create_time: Math.floor(Date.now() / 1000),
              env: "development",
              prompt: task.body.prompt ?? "",
              lyrics: task.body.lyrics ?? "",
              metas: { bpm: 120, duration: seconds, genres: "", keyscale: "C major", timesignature: "4" },
              generation_info: "",
              seed_value: String(Number(task.body.seed ?? 42) + i),
              lm_model: "acestep-5Hz-lm-1.7B",
              dit_model: String(task.body.model ?? "acestep-v15-turbo"),
            })),
          ),
          progress_text: "done",
        });
      }
      return sendJson(res, 200, wrap(out));
    }
    return sendJson(res, 404, { detail: "Not Found" });
  });
  const served = await listenWithScratch(server, options.port, outputs);
  return { ...served, requests, bodies };
}

if (isMain(import.meta.url)) {
  const fake = await startAceStepFake({ port: Number(process.env.PORT ?? 8001) });
  process.stdout.write(`ACE-Step fake on ${fake.url}\n`);
}
