// A protocol-faithful fake of the sunoapi.org wrapper and of self-hosted gcui-art/suno-api, on 127.0.0.1 (from BACKENDS.md "Music").
//
// sunoapi.org routes (every answer HTTP 200 {code, msg, data}; Authorization: Bearer <key>):
//   POST /api/v1/generate                       → data:{taskId}
//   GET  /api/v1/generate/record-info?taskId=   → data:{taskId, status, response:{sunoData:[…]}, errorMessage}
//   POST /api/v1/generate/get-timestamped-lyrics {taskId, audioId} → data:{alignedWords:[{word,startS,endS,success,palign}]}
//   POST /api/v1/vocal-removal/generate {taskId, audioId, type: separate_vocal|split_stem} → data:{taskId}
//   GET  /api/v1/vocal-removal/record-info?taskId= → data:{taskId, musicId, successFlag, response:{originUrl, vocalUrl, instrumentalUrl, drumsUrl…}}
//        (docs.sunoapi.org "Get Vocal Separation Details"; PENDING on the first poll, SUCCESS after)
// gcui-art routes: POST /api/custom_generate → [clip, clip]; GET /api/get?ids=a,b; GET /api/get_aligned_lyrics?song_id=
// Songs pass TEXT_SUCCESS → FIRST_SUCCESS (one song has audioUrl, the other only streamAudioUrl) → SUCCESS, one step per poll.
// Behaviours: suno-body-405-then-ok (HTTP 200 with body code 405 once), suno-sensitive-word,
// suno-first-success-only (the second song never arrives: GENERATE_AUDIO_FAILED), gcui-clip-error.
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findTools, runFfmpeg, type Tools } from "../../src/media/index.js";
import { isMain, Once } from "../shared/hosted.js";
import { createServer, listenWithScratch, readBody, sendJson } from "../shared/http.js";

export type SunoBehaviour =
  | "suno-body-405-then-ok"
  | "suno-sensitive-word"
  | "suno-first-success-only"
  | "gcui-clip-error";

export interface SunoFakeOptions {
  key?: string;
  behaviours?: readonly SunoBehaviour[];
  /** Seconds of each song (default 3). */
  songSeconds?: number;
  port?: number;
  tools?: Tools;
}

export interface SunoFake {
  url: string;
  /** Requests seen, "METHOD path", in order. */
  requests: string[];
  /** The last generate bodies. */
  bodies: unknown[];
  close(): Promise<void>;
}

interface Task {
  id: string;
  polls: number;
  lyrics: string;
  title: string;
  songs: string[];
  sensitive: boolean;
  onlyFirst: boolean;
  clipError: boolean;
}

/** Words of the lyrics at 0.4 s each, the section tag glued to the first word as Suno does. */
function alignedWords(
  lyrics: string,
): { word: string; startS: number; endS: number; success: boolean; palign: number }[] {
  const out: { word: string; startS: number; endS: number; success: boolean; palign: number }[] = [];
  let tag = "";
  let t = 0.5;
  for (const line of lyrics.split("\n")) {
    if (/^\s*\[.*\]\s*$/.test(line)) {
      tag = `${line.trim()}\n`;
      continue;
    }
    const words = line.trim().split(/\s+/).filter(Boolean);
    words.forEach((w, i) => {
      out.push({
        word: `${tag}${w}${i === words.length - 1 ? "\n" : " "}`,
        startS: t,
        endS: t + 0.35,
        success: true,
        palign: 0,
      });
      tag = "";
      t = Math.round((t + 0.4) * 100) / 100;
    });
  }
  return out;
}

export async function startSunoFake(options: SunoFakeOptions = {}): Promise<SunoFake> {
  const key = options.key ?? "suno-test-key";
  const tools = options.tools ?? findTools(process.env);
  const behaviours = new Set(options.behaviours ?? []);
  const once = new Once({ "suno-body-405-then-ok": behaviours.has("suno-body-405-then-ok") ? 1 : 0 });
  const dir = await mkdtemp(join(tmpdir(), "suno-fake-"));
  const audio = join(dir, "song.mp3");
  await runFfmpeg(tools, [
    "-f",
    "lavfi",
    "-i",
    `sine=frequency=440:duration=${options.songSeconds ?? 3}:sample_rate=48000`,
    "-c:a",
    "libmp3lame",
    "-b:a",
    "64k",
    audio,
  ]);
  const audioBytes = await readFile(audio);
  // Stems are real audio too: a higher tone for the voice, a lower one for everything else.
  const stemBytes: Record<string, Buffer> = {};
  for (const [name, hz] of [
    ["vocal", 660],
    ["instrumental", 220],
  ] as const) {
    const f = join(dir, `${name}.mp3`);
    await runFfmpeg(tools, [
      "-f",
      "lavfi",
      "-i",
      `sine=frequency=${hz}:duration=${options.songSeconds ?? 3}:sample_rate=48000`,
      "-c:a",
      "libmp3lame",
      "-b:a",
      "64k",
      f,
    ]);
    stemBytes[name] = await readFile(f);
  }
  const stemTasks = new Map<string, { polls: number; type: string; musicId: string }>();
  const tasks = new Map<string, Task>();
  const byClip = new Map<string, Task>();
  const requests: string[] = [];
  const bodies: unknown[] = [];
  let next = 1;
  let url = "";

  const sunoData = (task: Task, step: number) =>
    task.songs.map((id, i) => {
      const ready = step >= 3 || (step === 2 && i === 0) || (task.onlyFirst && step >= 2 && i === 0);
      const streaming = step >= 2 && !(task.onlyFirst && i === 1);
      return {
        id,
        audioUrl: ready && !(task.onlyFirst && i === 1) ? `${url}/files/${id}.mp3` : "",
        streamAudioUrl: streaming ? `${url}/stream/${id}` : "",
        imageUrl: "",
        prompt: task.lyrics,
        modelName: "chirp-v4",
        title: task.title,
        tags: "",
        createTime: "2025-01-01 00:00:00",
        duration: ready ? (options.songSeconds ?? 3) : null,
      };
    });

  const statusOf = (task: Task): string => {
    const step = task.polls;
    if (task.sensitive) return step >= 1 ? "SENSITIVE_WORD_ERROR" : "PENDING";
    if (step <= 0) return "PENDING";
    if (step === 1) return "TEXT_SUCCESS";
    if (step === 2) return "FIRST_SUCCESS";
    return task.onlyFirst ? "GENERATE_AUDIO_FAILED" : "SUCCESS";
  };

  const newTask = (lyrics: string, title: string): Task => {
    const id = `task${next++}`;
    const task: Task = {
      id,
      polls: 0,
      lyrics,
      title,
      songs: [`${id}-a`, `${id}-b`],
      sensitive: behaviours.has("suno-sensitive-word"),
      onlyFirst: behaviours.has("suno-first-success-only"),
      clipError: behaviours.has("gcui-clip-error"),
    };
    tasks.set(id, task);
    for (const s of task.songs) byClip.set(s, task);
    return task;
  };

  const server = createServer(async (req, res) => {
    const u = new URL(req.url ?? "/", "http://x");
    requests.push(`${req.method} ${u.pathname}`);
    const body = await readBody(req);
    const json = (() => {
      try {
        return body?.length ? JSON.parse(body.toString("utf8")) : {};
      } catch {
        return null;
      }
    })();
    if (u.pathname.startsWith("/stems/")) {
      const bytes = u.pathname.includes("vocal") ? stemBytes.vocal! : stemBytes.instrumental!;
      res.writeHead(200, { "content-type": "audio/mpeg", "content-length": bytes.length });
      res.end(bytes);
      return;
    }
    if (u.pathname.startsWith("/files/")) {
      res.writeHead(200, { "content-type": "audio/mpeg", "content-length": audioBytes.length });
      res.end(audioBytes);
      return;
    }
    // gcui-art/suno-api: no auth of its own.
    if (u.pathname === "/api/custom_generate") {
      bodies.push(json);
      const task = newTask(String(json?.prompt ?? ""), String(json?.title ?? ""));
      sendJson(
        res,
        200,
        task.songs.map((id) => ({ id, status: "submitted", title: task.title, audio_url: null })),
      );
      return;
    }
    if (u.pathname === "/api/get") {
      const ids = (u.searchParams.get("ids") ?? "").split(",").filter(Boolean);
      const out = ids.map((id) => {
        const task = byClip.get(id);
        if (!task) return { id, status: "error", error_message: "not found" };
        task.polls++;
        const i = task.songs.indexOf(id);
        const done = task.polls >= 2 * ids.length;
        if (task.clipError && i === 1)
          return { id, status: done ? "error" : "streaming", error_message: "generation failed" };
        return {
          id,
          status: done ? "complete" : "streaming",
          title: task.title,
          audio_url: done ? `${url}/files/${id}.mp3` : null,
          duration: done ? String(options.songSeconds ?? 3) : null,
        };
      });
      sendJson(res, 200, out);
      return;
    }
    if (u.pathname === "/api/get_aligned_lyrics") {
      const task = byClip.get(u.searchParams.get("song_id") ?? "");
      sendJson(
        res,
        200,
        alignedWords(task?.lyrics ?? "").map((w) => ({
          word: w.word,
          start_s: w.startS,
          end_s: w.endS,
          success: true,
          p_align: 0,
        })),
      );
      return;
    }
    // sunoapi.org
    if (req.headers.authorization !== `Bearer ${key}`) {
      sendJson(res, 200, { code: 401, msg: "Unauthorized", data: null });
      return;
    }
    if (req.method === "POST" && u.pathname === "/api/v1/generate") {
      bodies.push(json);
      if (once.take("suno-body-405-then-ok")) {
        sendJson(res, 200, { code: 405, msg: "Rate limit exceeded", data: null });
        return;
      }
      if (json?.customMode !== true || !json.style || !json.title || !json.callBackUrl) {
        sendJson(res, 200, { code: 400, msg: "customMode needs style, title and callBackUrl", data: null });
        return;
      }
      if (!json.instrumental && !json.prompt) {
        sendJson(res, 200, { code: 400, msg: "prompt is required", data: null });
        return;
      }
      const max = json.model === "V4" ? 3000 : 5000;
      if (String(json.prompt ?? "").length > max) {
        sendJson(res, 200, { code: 413, msg: "Prompt too long", data: null });
        return;
      }
      const task = newTask(String(json.prompt ?? ""), String(json.title));
      sendJson(res, 200, { code: 200, msg: "success", data: { taskId: task.id } });
      return;
    }
    if (req.method === "GET" && u.pathname === "/api/v1/generate/record-info") {
      const task = tasks.get(u.searchParams.get("taskId") ?? "");
      if (!task) {
        sendJson(res, 200, { code: 400, msg: "taskId not found", data: null });
        return;
      }
      task.polls++;
      const status = statusOf(task);
      sendJson(res, 200, {
        code: 200,
        msg: "success",
        data: {
          taskId: task.id,
          param: JSON.stringify({ prompt: task.lyrics }),
          response: { taskId: task.id, sunoData: task.sensitive ? null : sunoData(task, task.polls) },
          status,
          type: "chirp-v4",
          errorCode: status.endsWith("ERROR") || status.endsWith("FAILED") ? 400 : null,
          errorMessage: status === "SENSITIVE_WORD_ERROR" ? "Lyrics contain sensitive words" : null,
        },
      });
      return;
    }
    if (req.method === "POST" && u.pathname === "/api/v1/generate/get-timestamped-lyrics") {
      const task = tasks.get(String(json?.taskId ?? ""));
      if (!task || !json?.audioId) {
        sendJson(res, 200, { code: 400, msg: "taskId and audioId are required", data: null });
        return;
      }
      sendJson(res, 200, {
        code: 200,
        msg: "success",
        data: { alignedWords: alignedWords(task.lyrics), waveformData: [], hootCer: 0.1, isStreamed: false },
      });
      return;
    }
    if (req.method === "POST" && u.pathname === "/api/v1/vocal-removal/generate") {
      bodies.push(json);
      const task = tasks.get(String(json?.taskId ?? ""));
      if (!task?.songs.includes(String(json?.audioId ?? ""))) {
        sendJson(res, 200, {
          code: 400,
          msg: "taskId and audioId of a generated song are required",
          data: null,
        });
        return;
      }
      if (!["separate_vocal", "split_stem"].includes(json.type)) {
        sendJson(res, 200, { code: 400, msg: "type must be separate_vocal or split_stem", data: null });
        return;
      }
      const id = `stems${next++}`;
      stemTasks.set(id, { polls: 0, type: json.type, musicId: json.audioId });
      sendJson(res, 200, { code: 200, msg: "success", data: { taskId: id } });
      return;
    }
    if (req.method === "GET" && u.pathname === "/api/v1/vocal-removal/record-info") {
      const id = u.searchParams.get("taskId") ?? "";
      const st = stemTasks.get(id);
      if (!st) {
        sendJson(res, 200, { code: 400, msg: "taskId not found", data: null });
        return;
      }
      st.polls++;
      const done = st.polls >= 2;
      const link = (name: string) => (done ? `${url}/stems/${id}-${name}.mp3` : null);
      const split = st.type === "split_stem";
      const response = {
        originUrl: done ? `${url}/files/${st.musicId}.mp3` : null,
        instrumentalUrl: split ? null : link("instrumental"),
        vocalUrl: link("vocal"),
        backingVocalsUrl: split ? link("backing-vocal") : null,
        drumsUrl: split ? link("drums") : null,
        bassUrl: split ? link("bass") : null,
        guitarUrl: null,
        keyboardUrl: split ? link("keyboard") : null,
        percussionUrl: null,
        stringsUrl: null,
        synthUrl: null,
        fxUrl: null,
        brassUrl: null,
        woodwindsUrl: null,
      };
      sendJson(res, 200, {
        code: 200,
        msg: "success",
        data: {
          taskId: id,
          musicId: st.musicId,
          callbackUrl: "https://example.invalid",
          musicIndex: 0,
          completeTime: done ? 1753782937000 : null,
          response,
          successFlag: done ? "SUCCESS" : "PENDING",
          createTime: 1753782854000,
          errorCode: null,
          errorMessage: null,
        },
      });
      return;
    }
    sendJson(res, 200, { code: 404, msg: `no route ${req.method} ${u.pathname}`, data: null });
  });
  const served = await listenWithScratch(server, options.port, dir);
  url = served.url;
  return { ...served, requests, bodies };
}

if (isMain(import.meta.url)) {
  const fake = await startSunoFake({ port: Number(process.env.PORT ?? 0) });
  process.stdout.write(`suno fake on ${fake.url} (key suno-test-key)\n`);
}
