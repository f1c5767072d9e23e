// A protocol-faithful fake ComfyUI server (HTTP + WebSocket on loopback) that "runs" video workflows with ffmpeg.
//
// Written from /work/shared/BACKENDS.md "ComfyUI" (server.py, execution.py, main.py): every route also
// under /api, client-chosen prompt_id taken verbatim with no de-duplication, 400 validation bodies with
// node_errors, in-memory history, the WebSocket event sequence, /view and /upload/image rules.
// Behaviours are selected by name (execa style) for tests and benchmarks:
//   comfy-slow                  runs each prompt 10× longer
//   comfy-drops-websocket       closes every socket mid-run (clients must fall back to /history)
//   comfy-restart-loses-history "restarts" after each prompt: history and queue are lost
//   comfy-error-node            the sampler node raises (execution_error, history status "error")
//   comfy-500                   every HTTP route answers 500
//   not-comfy                   answers like some other web server
// CLI: npx tsx fakes/comfyui/server.ts --port 8188 --behaviour comfy-slow [--delay-ms 300]
import { randomUUID } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, extname, join, normalize, resolve, sep } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { type WebSocket, WebSocketServer } from "ws";
import { findTools, type Tools } from "../../src/media/index.js";
import { renderFakeClip } from "../shared/clip.js";
import {
  closeServer,
  createServer,
  type IncomingMessage,
  listenLoopback,
  parseMultipart,
  readBody,
  type ServerResponse,
  sendJson,
  sendText,
  sleep,
} from "../shared/http.js";
import { NODE_BY_NAME, NODE_CLASSES, type NodeClass, objectInfo } from "./nodes.js";

export const BEHAVIOURS = [
  "comfy-slow",
  "comfy-drops-websocket",
  "comfy-restart-loses-history",
  "comfy-error-node",
  "comfy-500",
  "not-comfy",
] as const;
export type Behaviour = (typeof BEHAVIOURS)[number];

export interface FakeComfyOptions {
  port?: number;
  behaviours?: readonly Behaviour[];
  /** How long the sampler "runs" per prompt, before ffmpeg renders the clip (default 300 ms). */
  delayMs?: number;
  /** Progress events per prompt (default 4). */
  steps?: number;
  /** Model file names the server does not have: a graph naming one fails validation (value_not_in_list). */
  missingModels?: readonly string[];
  /** Upload size limit in bytes (ComfyUI's --max-upload-size, default 100 MB → 413). */
  maxUploadBytes?: number;
  /** Behave like Comfy Cloud: every request needs this X-API-Key, and only /api/… routes answer. */
  cloudApiKey?: string;
  tools?: Tools;
}

export interface FakeComfyExecution {
  promptId: string;
  /** performance.now() when execution started and finished. */
  startedAt: number;
  endedAt: number;
  outcome: "success" | "error" | "interrupted";
}

export interface FakeComfyStats {
  /** Prompts accepted by POST /prompt (re-posts of one id count again: ComfyUI does not de-duplicate). */
  prompts: number;
  executions: FakeComfyExecution[];
  /** WebSocket connections accepted. */
  sockets: number;
}

export interface FakeComfy {
  url: string;
  stats: FakeComfyStats;
  /** Simulates a server restart: history, queue and sockets are lost, files on disk stay. */
  restart(): void;
  close(): Promise<void>;
}

type Graph = Record<string, { class_type?: string; inputs?: Record<string, unknown>; _meta?: unknown }>;

interface QueueItem {
  number: number;
  promptId: string;
  graph: Graph;
  extraData: Record<string, unknown>;
  outputs: string[];
  clientId?: string;
}

interface HistoryEntry {
  prompt: [number, string, Graph, Record<string, unknown>, string[]];
  outputs: Record<string, unknown>;
  status: { status_str: "success" | "error"; completed: boolean; messages: [string, unknown][] };
  meta: Record<string, unknown>;
}

interface NodeErrorItem {
  type: string;
  message: string;
  details: string;
  extra_info: Record<string, unknown>;
}

class PromptError extends Error {
  constructor(
    readonly body: { error: NodeErrorItem; node_errors: Record<string, unknown> },
    readonly status = 400,
  ) {
    super(body.error.message);
  }
}

const VIDEO_TYPES: Record<string, string> = {
  ".mp4": "video/mp4",
  ".webm": "video/webm",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".wav": "audio/wav",
  ".flac": "audio/flac",
  ".mp3": "audio/mpeg",
  ".json": "application/json",
};

export async function startFakeComfy(options: FakeComfyOptions = {}): Promise<FakeComfy> {
  const behaviours = new Set(options.behaviours ?? []);
  const tools = options.tools ?? findTools();
  const delayMs = (options.delayMs ?? 300) * (behaviours.has("comfy-slow") ? 10 : 1);
  const steps = Math.max(1, options.steps ?? 4);
  const missingModels = new Set(options.missingModels ?? []);
  const maxUpload = options.maxUploadBytes ?? 100 * 1024 * 1024;
  const root = await mkdtemp(join(tmpdir(), "fake-comfy-"));
  const dirs = { input: join(root, "input"), output: join(root, "output"), temp: join(root, "temp") };
  for (const d of Object.values(dirs)) await mkdir(d, { recursive: true });

  const stats: FakeComfyStats = { prompts: 0, executions: [], sockets: 0 };
  let pending: QueueItem[] = [];
  let running: QueueItem | null = null;
  let history = new Map<string, HistoryEntry>();
  let numberCounter = 0;
  // Bumped by restart(): a run started before a restart must not write history afterwards.
  let generation = 0;
  let interruptRequested = false;
  let closed = false;
  const fileCounters = new Map<string, number>();
  const sockets = new Map<string, WebSocket>();
  const wss = new WebSocketServer({ noServer: true });

  // --- WebSocket ---------------------------------------------------------------------------------

  function send(clientId: string | undefined, type: string, data: unknown): void {
    const frame = JSON.stringify({ type, data });
    if (clientId === undefined) {
      for (const ws of sockets.values()) if (ws.readyState === ws.OPEN) ws.send(frame);
      return;
    }
    const ws = sockets.get(clientId);
    if (ws && ws.readyState === ws.OPEN) ws.send(frame);
  }

  function queueRemaining(): number {
    return pending.length + (running ? 1 : 0);
  }

  function broadcastStatus(): void {
    send(undefined, "status", { status: { exec_info: { queue_remaining: queueRemaining() } } });
  }

  function dropSockets(): void {
    for (const ws of sockets.values()) ws.terminate();
    sockets.clear();
  }

  wss.on("connection", (ws: WebSocket, req: IncomingMessage) => {
    const url = new URL(req.url ?? "/", "http://x");
    const sid = url.searchParams.get("clientId") || randomUUID().replaceAll("-", "");
    // Reusing a client id replaces the old socket (server.py keys sockets by sid).
    sockets.set(sid, ws);
    stats.sockets++;
    ws.on("close", () => {
      if (sockets.get(sid) === ws) sockets.delete(sid);
    });
    ws.on("message", (raw) => {
      try {
        const msg = JSON.parse(String(raw)) as { type?: string };
        if (msg.type === "feature_flags") send(sid, "feature_flags", { supports_preview_metadata: true });
      } catch {
        // ComfyUI ignores frames it cannot parse.
      }
    });
    ws.send(
      JSON.stringify({
        type: "status",
        data: { status: { exec_info: { queue_remaining: queueRemaining() } }, sid },
      }),
    );
  });

  // --- Validation (execution.py:validate_prompt) ---------------------------------------------------

  function validate(graph: Graph): string[] {
    for (const [id, n] of Object.entries(graph)) {
      if (!n || typeof n !== "object" || typeof n.class_type !== "string") {
        throw new PromptError({
          error: {
            type: "invalid_prompt",
            message: "Cannot execute because a node is missing the class_type property.",
            details: `Node ID '#${id}'`,
            extra_info: {},
          },
          node_errors: {},
        });
      }
      if (!NODE_BY_NAME.has(n.class_type)) {
        throw new PromptError({
          error: {
            type: "invalid_prompt",
            message: `Cannot execute because node ${n.class_type} does not exist.`,
            details: `Node ID '#${id}'`,
            extra_info: {},
          },
          node_errors: {},
        });
      }
    }
    const outputs = Object.keys(graph).filter((id) => NODE_BY_NAME.get(graph[id]!.class_type!)!.outputNode);
    if (outputs.length === 0) {
      throw new PromptError({
        error: { type: "prompt_no_outputs", message: "Prompt has no outputs", details: "", extra_info: {} },
        node_errors: {},
      });
    }
    const nodeErrors: Record<
      string,
      { errors: NodeErrorItem[]; dependent_outputs: string[]; class_type: string }
    > = {};
    const good: string[] = [];
    for (const out of outputs) {
      const errors = validateTree(graph, out);
      if (errors.size === 0) {
        good.push(out);
        continue;
      }
      for (const [id, list] of errors) {
        const entry = nodeErrors[id] ?? {
          errors: list,
          dependent_outputs: [],
          class_type: graph[id]!.class_type!,
        };
        entry.dependent_outputs.push(out);
        nodeErrors[id] = entry;
      }
    }
    if (good.length === 0) {
      throw new PromptError({
        error: {
          type: "prompt_outputs_failed_validation",
          message: "Prompt outputs failed validation",
          details: "",
          extra_info: {},
        },
        node_errors: nodeErrors,
      });
    }
    return good;
  }

  function validateTree(graph: Graph, out: string): Map<string, NodeErrorItem[]> {
    const errors = new Map<string, NodeErrorItem[]>();
    const seen = new Set<string>();
    const visit = (id: string) => {
      if (seen.has(id)) return;
      seen.add(id);
      const n = graph[id]!;
      const cls = NODE_BY_NAME.get(n.class_type!)!;
      const list: NodeErrorItem[] = [];
      const inputs = n.inputs ?? {};
      for (const [name, spec] of Object.entries(cls.required)) {
        if (!(name in inputs)) {
          list.push({
            type: "required_input_missing",
            message: "Required input is missing",
            details: name,
            extra_info: { input_name: name },
          });
        }
        void spec;
      }
      for (const [name, value] of Object.entries(inputs)) {
        const spec = cls.required[name] ?? cls.optional[name];
        if (Array.isArray(value)) {
          const src = String(value[0]);
          if (!graph[src]) {
            list.push({
              type: "bad_linked_input",
              message: "Bad linked input, must be a length-2 list of [string, int]",
              details: `${name}, ${JSON.stringify(value)}`,
              extra_info: { input_name: name },
            });
          } else {
            visit(src);
          }
          continue;
        }
        if (!spec) continue; // ComfyUI ignores inputs a class does not declare.
        const problem = checkValue(cls, name, spec, value);
        if (problem) list.push(problem);
      }
      if (list.length > 0) errors.set(id, list);
    };
    visit(out);
    return errors;
  }

  function checkValue(cls: NodeClass, name: string, spec: NodeClass["required"][string], value: unknown) {
    const [type, opts = {}] = spec;
    const item = (t: string, message: string, details: string): NodeErrorItem => ({
      type: t,
      message,
      details,
      extra_info: { input_name: name, received_value: value },
    });
    if (typeof value === "string" && missingModels.has(value)) {
      return item("value_not_in_list", "Value not in list", `${name}: '${value}' not in []`);
    }
    if (type === "INT" || type === "FLOAT") {
      const n = Number(value);
      if (!Number.isFinite(n))
        return item(
          "invalid_input_type",
          `Failed to convert an input value to a ${type} value`,
          `${name}, ${value}`,
        );
      if (typeof opts.min === "number" && n < opts.min)
        return item("value_smaller_than_min", `Value ${n} smaller than min of ${opts.min}`, `${name}`);
      if (typeof opts.max === "number" && n > opts.max)
        return item("value_bigger_than_max", `Value ${n} bigger than max of ${opts.max}`, `${name}`);
    }
    if (cls.name === "LoadImage" && name === "image") return checkInputFile(value, "Invalid image file");
    if (cls.name === "LoadAudio" && name === "audio") return checkInputFile(value, "Invalid audio file");
    return null;

    function checkInputFile(v: unknown, message: string): NodeErrorItem | null {
      if (typeof v === "string" && inputFiles.has(v)) return null;
      return {
        type: "custom_validation_failed",
        message: "Custom validation failed for node",
        details: `${name} - ${message}: ${String(v)}`,
        extra_info: { input_name: name },
      };
    }
  }

  // Names LoadImage/LoadAudio would list (the input folder); uploads add to it.
  const inputFiles = new Set<string>();

  // --- Execution (main.py:prompt_worker, execution.py:execute) -------------------------------------

  let working = false;
  async function work(): Promise<void> {
    if (working) return;
    working = true;
    try {
      while (!closed && pending.length > 0) {
        const item = pending.shift()!;
        running = item;
        interruptRequested = false;
        broadcastStatus();
        const gen = generation;
        const entry = await execute(item, gen);
        if (gen !== generation) continue; // a restart happened mid-run: it never finished
        history.set(item.promptId, entry);
        if (history.size > 10_000) history.delete(history.keys().next().value!);
        running = null;
        // "executing node:null" (= finished) is sent only when the prompt named a client_id (main.py).
        if (item.clientId) send(item.clientId, "executing", { node: null, prompt_id: item.promptId });
        broadcastStatus();
        if (behaviours.has("comfy-restart-loses-history")) restart();
      }
    } finally {
      working = false;
    }
  }

  async function execute(item: QueueItem, gen: number): Promise<HistoryEntry> {
    const startedAt = performance.now();
    const { promptId, graph, clientId } = item;
    const messages: [string, unknown][] = [];
    const emit = (type: string, data: Record<string, unknown>, broadcast = false) => {
      const full = { ...data, prompt_id: promptId, timestamp: Date.now() };
      if (type.startsWith("execution_")) messages.push([type, full]);
      // Without a client_id these go nowhere; interrupted is broadcast (execution.py:add_message).
      if (broadcast || clientId) send(broadcast ? undefined : clientId, type, full);
    };
    const finish = (outcome: FakeComfyExecution["outcome"], outputs: Record<string, unknown>) => {
      stats.executions.push({ promptId, startedAt, endedAt: performance.now(), outcome });
      return {
        prompt: [item.number, promptId, graph, item.extraData, item.outputs],
        outputs,
        status: {
          status_str: outcome === "success" ? "success" : "error",
          completed: outcome === "success",
          messages,
        },
        meta: {},
      } satisfies HistoryEntry as HistoryEntry;
    };
    emit("execution_start", {});
    emit("execution_cached", { nodes: [] });
    const order = executionOrder(graph, item.outputs);
    const sampler = order.find((id) => {
      const inputs = graph[id]!.inputs ?? {};
      return "steps" in inputs;
    });
    const executed: string[] = [];
    const outputs: Record<string, unknown> = {};
    for (const id of order) {
      if (gen !== generation || closed) return finish("interrupted", {});
      const n = graph[id]!;
      if (clientId) send(clientId, "executing", { node: id, display_node: id, prompt_id: promptId });
      const fail = failureOf(graph, id);
      if (fail) {
        emit("execution_error", {
          node_id: id,
          node_type: n.class_type,
          executed: [...executed],
          exception_message: fail.message,
          exception_type: fail.type,
          traceback: [`  File "execution.py", line 496, in execute\n`, `${fail.type}: ${fail.message}\n`],
          current_inputs: {},
          current_outputs: {},
        });
        return finish("error", outputs);
      }
      if (id === sampler || (!sampler && NODE_BY_NAME.get(n.class_type!)!.outputNode)) {
        for (let step = 1; step <= steps; step++) {
          await sleep(delayMs / steps);
          if (gen !== generation || closed) return finish("interrupted", {});
          if (interruptRequested) {
            emit(
              "execution_interrupted",
              { node_id: id, node_type: n.class_type, executed: [...executed] },
              true,
            );
            return finish("interrupted", outputs);
          }
          // progress goes to every socket when no client id was given (sid=None = broadcast).
          send(clientId, "progress", { value: step, max: steps, prompt_id: promptId, node: id });
          if (step === 1 && behaviours.has("comfy-drops-websocket")) dropSockets();
        }
      }
      if (NODE_BY_NAME.get(n.class_type!)!.outputNode && item.outputs.includes(id)) {
        let ui: Record<string, unknown>;
        try {
          ui = await runOutputNode(graph, id);
        } catch (e) {
          emit("execution_error", {
            node_id: id,
            node_type: n.class_type,
            executed: [...executed],
            exception_message: (e as Error).message,
            exception_type: "RuntimeError",
            traceback: [],
            current_inputs: {},
            current_outputs: {},
          });
          return finish("error", outputs);
        }
        outputs[id] = ui;
        if (clientId)
          send(clientId, "executed", { node: id, display_node: id, output: ui, prompt_id: promptId });
      }
      executed.push(id);
    }
    emit("execution_success", {});
    return finish("success", outputs);
  }

  /** The failure a node raises mid-run, if this graph (or the chosen behaviour) makes it fail. */
  function failureOf(graph: Graph, id: string): { type: string; message: string } | null {
    const n = graph[id]!;
    const inputs = n.inputs ?? {};
    if (behaviours.has("comfy-error-node") && "steps" in inputs) {
      return {
        type: "torch.OutOfMemoryError",
        message: "Allocation on device would exceed allowed memory. (out of memory)",
      };
    }
    // The native InfiniteTalk node fails mid-run unless length % 4 == 1 [community].
    if (
      n.class_type === "WanInfiniteTalkToVideo" &&
      typeof inputs.length === "number" &&
      inputs.length % 4 !== 1
    ) {
      return {
        type: "einops.EinopsError",
        message: `Error while processing rearrange-reduction pattern "b c (t f) h w -> b c t f h w". Shape mismatch, can't divide axis of length ${inputs.length} in chunks of 4`,
      };
    }
    return null;
  }

  function executionOrder(graph: Graph, outs: string[]): string[] {
    const order: string[] = [];
    const seen = new Set<string>();
    const visit = (id: string) => {
      if (seen.has(id)) return;
      seen.add(id);
      for (const v of Object.values(graph[id]!.inputs ?? {})) if (Array.isArray(v)) visit(String(v[0]));
      order.push(id);
    };
    for (const o of outs) visit(o);
    return order;
  }

  /** Reads what the clip should look like from the graph inputs the fake recognises. */
  function recipe(graph: Graph, outId: string) {
    const nodes = Object.values(graph);
    const num = (names: string[]): number | undefined => {
      for (const name of names) {
        for (const n of nodes) {
          const v = n.inputs?.[name];
          if (typeof v === "number" && Number.isFinite(v)) return v;
        }
      }
      return undefined;
    };
    const out = graph[outId]!;
    const outInputs = out.inputs ?? {};
    const sized = nodes.find(
      (n) => typeof n.inputs?.width === "number" && typeof n.inputs?.height === "number",
    );
    const image = nodes.find((n) => n.class_type === "LoadImage")?.inputs?.image;
    const audio = nodes.find((n) => n.class_type === "LoadAudio")?.inputs?.audio;
    // The video has audio when the output (or the CreateVideo feeding it) takes an audio input.
    const videoSource = Array.isArray(outInputs.video) ? graph[String(outInputs.video[0])] : undefined;
    const withAudio = "audio" in outInputs || (videoSource ? "audio" in (videoSource.inputs ?? {}) : false);
    const fps =
      (typeof outInputs.frame_rate === "number" ? outInputs.frame_rate : undefined) ??
      (typeof videoSource?.inputs?.fps === "number" ? (videoSource.inputs.fps as number) : undefined) ??
      num(["frame_rate", "fps"]) ??
      25;
    return {
      frames: Math.max(1, Math.round(num(["num_frames", "length", "frame_count"]) ?? 81)),
      fps,
      width: Math.round(Number(sized?.inputs?.width ?? 512)),
      height: Math.round(Number(sized?.inputs?.height ?? 512)),
      seed: num(["seed", "noise_seed"]) ?? 0,
      image: typeof image === "string" ? image : undefined,
      audio: withAudio && typeof audio === "string" ? audio : undefined,
    };
  }

  async function runOutputNode(graph: Graph, id: string): Promise<Record<string, unknown>> {
    const n = graph[id]!;
    const inputs = n.inputs ?? {};
    if (n.class_type === "PreviewImage" || n.class_type === "SaveAudio") return {};
    const r = recipe(graph, id);
    if (!r.image) throw new Error("no LoadImage node feeds this video");
    const vhs = n.class_type === "VHS_VideoCombine";
    const type = vhs && inputs.save_output === false ? "temp" : "output";
    const prefix = String(inputs.filename_prefix ?? (vhs ? "AnimateDiff" : "video/ComfyUI"));
    const subfolder = prefix.includes("/") ? prefix.slice(0, prefix.lastIndexOf("/")) : "";
    const stem = basename(prefix);
    const counter = (fileCounters.get(`${type}/${prefix}`) ?? 0) + 1;
    fileCounters.set(`${type}/${prefix}`, counter);
    const padded = String(counter).padStart(5, "0");
    const filename = vhs ? `${stem}_${padded}${r.audio ? "-audio" : ""}.mp4` : `${stem}_${padded}_.mp4`;
    const dir = join(type === "temp" ? dirs.temp : dirs.output, subfolder);
    await mkdir(dir, { recursive: true });
    await renderFakeClip(tools, {
      image: join(dirs.input, r.image),
      audio: r.audio ? join(dirs.input, r.audio) : undefined,
      frames: r.frames,
      fps: r.fps,
      width: r.width,
      height: r.height,
      seed: r.seed,
      out: join(dir, filename),
    });
    const file = { filename, subfolder, type };
    if (vhs) {
      return {
        gifs: [
          {
            ...file,
            format: "video/h264-mp4",
            frame_rate: r.fps,
            workflow: `${stem}_${padded}.png`,
            fullpath: join(dir, filename),
          },
        ],
      };
    }
    return { images: [file], animated: [true] };
  }

  function restart(): void {
    generation++;
    pending = [];
    running = null;
    history = new Map();
    dropSockets();
  }

  // --- HTTP routes (server.py) ---------------------------------------------------------------------

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (behaviours.has("not-comfy")) {
      sendText(res, 200, "<!DOCTYPE html><html><body><h1>Welcome to nginx!</h1></body></html>", "text/html");
      return;
    }
    if (behaviours.has("comfy-500")) {
      sendText(res, 500, "500 Internal Server Error\n\nServer got itself in trouble");
      return;
    }
    const url = new URL(req.url ?? "/", "http://x");
    if (options.cloudApiKey !== undefined) {
      if (req.headers["x-api-key"] !== options.cloudApiKey) {
        sendJson(res, 401, { error: { type: "unauthorized", message: "Invalid or missing API key" } });
        return;
      }
      if (!url.pathname.startsWith("/api/")) {
        sendText(res, 404, "404: Not Found");
        return;
      }
    }
    const path = url.pathname.startsWith("/api/") ? url.pathname.slice(4) : url.pathname;
    const method = req.method ?? "GET";
    const body = async (): Promise<Record<string, unknown> | null> => {
      const raw = await readBody(req);
      if (!raw || raw.length === 0) return {};
      try {
        const v = JSON.parse(raw.toString("utf8")) as unknown;
        return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
      } catch {
        return null;
      }
    };

    if (method === "GET" && path === "/") {
      sendText(
        res,
        200,
        "<!DOCTYPE html><html><head><title>ComfyUI</title></head><body></body></html>",
        "text/html",
      );
      return;
    }
    if (path === "/prompt" && method === "GET") {
      sendJson(res, 200, { exec_info: { queue_remaining: queueRemaining() } });
      return;
    }
    if (path === "/prompt" && method === "POST") {
      const json = await body();
      if (!json) {
        sendJson(res, 400, { error: "invalid json" });
        return;
      }
      if (!("prompt" in json) || !json.prompt || typeof json.prompt !== "object") {
        sendJson(res, 400, {
          error: {
            type: "no_prompt",
            message: "No prompt provided",
            details: "No prompt provided",
            extra_info: {},
          },
          node_errors: {},
        });
        return;
      }
      const graph = json.prompt as Graph;
      const promptId = json.prompt_id !== undefined ? String(json.prompt_id) : randomUUID();
      let outputs: string[];
      try {
        outputs = validate(graph);
      } catch (e) {
        if (e instanceof PromptError) {
          sendJson(res, e.status, e.body);
          return;
        }
        throw e;
      }
      const extraData = { ...((json.extra_data as Record<string, unknown>) ?? {}) };
      const clientId = typeof json.client_id === "string" ? json.client_id : undefined;
      if (clientId) extraData.client_id = clientId;
      const number =
        typeof json.number === "number" ? json.number : json.front ? -++numberCounter : ++numberCounter;
      const item: QueueItem = { number, promptId, graph, extraData, outputs, clientId };
      if (json.front) pending.unshift(item);
      else pending.push(item);
      stats.prompts++;
      broadcastStatus();
      void work();
      sendJson(res, 200, { prompt_id: promptId, number, node_errors: {} });
      return;
    }
    if (path === "/queue" && method === "GET") {
      const row = (q: QueueItem) => [q.number, q.promptId, q.graph, q.extraData, q.outputs];
      sendJson(res, 200, { queue_running: running ? [row(running)] : [], queue_pending: pending.map(row) });
      return;
    }
    if (path === "/queue" && method === "POST") {
      const json = (await body()) ?? {};
      if (json.clear) pending = [];
      if (Array.isArray(json.delete)) {
        const ids = new Set(json.delete.map(String));
        pending = pending.filter((q) => !ids.has(q.promptId));
      }
      broadcastStatus();
      sendText(res, 200, "");
      return;
    }
    if (path === "/interrupt" && method === "POST") {
      const json = (await body()) ?? {};
      if (json.prompt_id === undefined || (running && running.promptId === String(json.prompt_id))) {
        if (running) interruptRequested = true;
      }
      sendText(res, 200, "");
      return;
    }
    if (path === "/history" && method === "GET") {
      const max = Number(url.searchParams.get("max_items") ?? Number.NaN);
      const offset = Number(url.searchParams.get("offset") ?? 0) || 0;
      let entries = [...history.entries()].slice(offset);
      if (Number.isFinite(max)) entries = entries.slice(-max);
      sendJson(res, 200, Object.fromEntries(entries));
      return;
    }
    if (path === "/history" && method === "POST") {
      const json = (await body()) ?? {};
      if (json.clear) history.clear();
      if (Array.isArray(json.delete)) for (const id of json.delete) history.delete(String(id));
      sendText(res, 200, "");
      return;
    }
    const historyId = /^\/history\/(.+)$/.exec(path)?.[1];
    if (historyId !== undefined && method === "GET") {
      const id = decodeURIComponent(historyId);
      const entry = history.get(id);
      sendJson(res, 200, entry ? { [id]: entry } : {});
      return;
    }
    if (path === "/view" && method === "GET") {
      await view(url, res);
      return;
    }
    if (path === "/upload/image" && method === "POST") {
      await upload(req, res);
      return;
    }
    if (path === "/object_info" && method === "GET") {
      sendJson(res, 200, Object.fromEntries(NODE_CLASSES.map((n) => [n.name, objectInfo(n)])));
      return;
    }
    const objectClass = /^\/object_info\/(.+)$/.exec(path)?.[1];
    if (objectClass !== undefined && method === "GET") {
      const cls = NODE_BY_NAME.get(decodeURIComponent(objectClass));
      sendJson(res, 200, cls ? { [cls.name]: objectInfo(cls) } : {});
      return;
    }
    if (path === "/system_stats" && method === "GET") {
      sendJson(res, 200, {
        system: {
          os: "posix",
          ram_total: 68_719_476_736,
          ram_free: 34_359_738_368,
          comfyui_version: "0.3.65",
          python_version: "3.12.3",
          pytorch_version: "2.8.0+cu128",
          embedded_python: false,
          argv: ["main.py", "--listen"],
        },
        devices: [
          {
            name: "cuda:0 NVIDIA GeForce RTX 4090 : cudaMallocAsync",
            type: "cuda",
            index: 0,
            vram_total: 25_757_220_864,
            vram_free: 24_000_000_000,
            torch_vram_total: 0,
            torch_vram_free: 0,
          },
        ],
      });
      return;
    }
    if (path === "/features" && method === "GET") {
      sendJson(res, 200, { supports_preview_metadata: true, max_upload_size: maxUpload });
      return;
    }
    sendText(res, 404, "404: Not Found");
  }

  async function view(url: URL, res: ServerResponse): Promise<void> {
    const filename = url.searchParams.get("filename");
    if (!filename || filename.startsWith("/") || filename.includes("..")) {
      sendText(res, 400, "400: Bad Request");
      return;
    }
    const type = url.searchParams.get("type") ?? "output";
    const base = type === "input" ? dirs.input : type === "temp" ? dirs.temp : dirs.output;
    const subfolder = url.searchParams.get("subfolder") ?? "";
    const dir = resolve(base, normalize(subfolder));
    if (dir !== base && !dir.startsWith(base + sep)) {
      sendText(res, 403, "403: Forbidden");
      return;
    }
    const file = join(dir, filename);
    try {
      const s = await stat(file);
      if (!s.isFile()) throw new Error("not a file");
      res.writeHead(200, {
        "content-type": VIDEO_TYPES[extname(file).toLowerCase()] ?? "application/octet-stream",
        "content-length": String(s.size),
        "content-disposition": `filename="${filename}"`,
      });
      createReadStream(file).pipe(res);
    } catch {
      sendText(res, 404, "404: Not Found");
    }
  }

  async function upload(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req, maxUpload);
    if (!raw) {
      sendText(res, 413, "413: Request Entity Too Large");
      return;
    }
    let form: FormData;
    try {
      form = await parseMultipart(String(req.headers["content-type"] ?? ""), raw);
    } catch {
      sendText(res, 400, "400: Bad Request");
      return;
    }
    const image = form.get("image");
    if (!image || typeof image === "string") {
      sendText(res, 400, "400: Bad Request");
      return;
    }
    const type = String(form.get("type") ?? "input");
    const subfolder = String(form.get("subfolder") ?? "");
    const overwrite = ["true", "1"].includes(String(form.get("overwrite") ?? ""));
    const base = type === "temp" ? dirs.temp : type === "output" ? dirs.output : dirs.input;
    const dir = resolve(base, normalize(subfolder));
    const name = basename(image.name || "image.png");
    if ((dir !== base && !dir.startsWith(base + sep)) || name.startsWith(".")) {
      sendText(res, 400, "400: Bad Request");
      return;
    }
    await mkdir(dir, { recursive: true });
    const bytes = Buffer.from(await image.arrayBuffer());
    let chosen = name;
    if (!overwrite) {
      // Same name + same content → existing name; same name + other content → "name (1).ext" (server.py).
      const ext = extname(name);
      const stem = name.slice(0, name.length - ext.length);
      for (let i = 1; ; i++) {
        const existing = await readFile(join(dir, chosen)).catch(() => null);
        if (!existing || existing.equals(bytes)) break;
        chosen = `${stem} (${i})${ext}`;
      }
    }
    await writeFile(join(dir, chosen), bytes);
    if (type === "input") inputFiles.add(subfolder ? `${subfolder}/${chosen}` : chosen);
    sendJson(res, 200, { name: chosen, subfolder, type });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) sendText(res, 500, `500: ${(e as Error).message}`);
      else res.destroy();
    });
  });
  server.on("upgrade", (req, socket, head) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    const keyOk = options.cloudApiKey === undefined || req.headers["x-api-key"] === options.cloudApiKey;
    const refused = behaviours.has("not-comfy") || behaviours.has("comfy-500") || !keyOk;
    if (refused || (path !== "/ws" && path !== "/api/ws")) {
      socket.end("HTTP/1.1 404 Not Found\r\n\r\n");
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit("connection", ws, req));
  });
  const url = await listenLoopback(server, options.port ?? 0);

  return {
    url,
    stats,
    restart,
    async close() {
      closed = true;
      generation++;
      dropSockets();
      wss.close();
      await closeServer(server);
      // Let a render in flight notice `closed` before its folder goes.
      await sleep(10);
      await rm(root, { recursive: true, force: true });
    },
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: "8188" },
      behaviour: { type: "string", multiple: true, default: [] },
      "delay-ms": { type: "string", default: "300" },
    },
  });
  const chosen = (values.behaviour ?? []).flatMap((b) => b.split(","));
  const unknown = chosen.filter((b) => !(BEHAVIOURS as readonly string[]).includes(b));
  if (unknown.length > 0) {
    console.error(`unknown behaviour ${unknown.join(", ")}; choose from ${BEHAVIOURS.join(", ")}`);
    process.exit(2);
  }
  const fake = await startFakeComfy({
    port: Number(values.port),
    behaviours: chosen as Behaviour[],
    delayMs: Number(values["delay-ms"]),
  });
  console.log(`fake ComfyUI listening on ${fake.url}${chosen.length ? ` (${chosen.join(", ")})` : ""}`);
  const stop = () => void fake.close().then(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) void main();
