// The ComfyUI clip provider: upload, queue with prompt_id = job token, follow over WebSocket or /history, fetch via /view.
import { createHash, randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { extname } from "node:path";
import WebSocket from "ws";
import { ProviderError, throwIfAborted, UserInputError } from "../../errors/index.js";
import { withTempOutput } from "../../files/index.js";
import type { ClipConstraints } from "../../plan/types.js";
import { allowsFrames, describeFrameRule, rateToNumber } from "../../time/index.js";
import type {
  ClipJob,
  ClipProvider,
  FoundJob,
  JobState,
  JobStatus,
  PriceModel,
  StillLips,
  Submitted,
} from "../clip.js";
import { type ComfyErrorBody, ComfyHttp, describeComfyError } from "./http.js";
import {
  BUILTIN_WORKFLOWS,
  type BuiltinWorkflowName,
  fillGraph,
  loadUserWorkflow,
  type UserWorkflow,
  type Workflow,
} from "./workflows.js";

const PROVIDER = "comfyui";

export interface ComfySettings {
  /** Server base URL, e.g. http://127.0.0.1:8188 (several servers: createComfyPool). */
  readonly url: string;
  /** Comfy Cloud key (the caller reads it from the environment); sent as X-API-Key. */
  readonly apiKey?: string;
  readonly workflow: BuiltinWorkflowName | UserWorkflow;
  /** Sampler steps; the workflow's own value (40, as the reference code) when absent. */
  readonly steps?: number;
  /** Jobs the server runs at once: 1 for a local ComfyUI (one prompt worker); Comfy Cloud tiers 1–5. */
  readonly concurrency?: number;
  /** A rented GPU's price: turns the price model into per-gpu-second. */
  readonly gpu?: { readonly usdPerSecond: number; readonly secondsPerVideoSecond: number };
  /** Per-request time limit in ms (default 30 s). */
  readonly timeoutMs?: number;
  /** How long to wait before reconnecting a dropped WebSocket (default 500 ms, doubling to 10 s). */
  readonly reconnectMs?: number;
  /** Follow progress over the WebSocket (default true); off = /history and /queue polling only. */
  readonly websocket?: boolean;
}

export interface ComfyProvider extends ClipProvider {
  readonly url: string;
  /** Stable identity in a pool ("comfyui@<url>"): the engine records it on takes so a restart polls the same server. */
  readonly endpoint: string;
  readonly workflow: Workflow;
  /** Checks the server is ComfyUI and has every node class the workflow uses. Memoised; submit calls it. */
  check(signal?: AbortSignal): Promise<void>;
  lookup(token: string, signal?: AbortSignal): Promise<FoundJob | null>;
  close(): Promise<void>;
}

/** What the WebSocket has told us about one prompt. Trusted only while the socket that saw it all stays up. */
interface Followed {
  epoch: number;
  state: JobState;
  progress?: number;
  reason?: string;
  /** Output UI of nodes as `executed` events reported them: fetch needs no /history round trip. */
  outputs?: Record<string, Record<string, unknown>>;
}

interface HistoryFile {
  filename: string;
  subfolder?: string;
  type?: string;
  format?: string;
}

interface HistoryEntry {
  outputs?: Record<string, Record<string, unknown>>;
  status?: { status_str?: string; completed?: boolean; messages?: [string, Record<string, unknown>][] };
}

interface QueueReply {
  queue_running?: unknown[][];
  queue_pending?: unknown[][];
}

const VIDEO_EXT = new Set([".mp4", ".webm", ".mov", ".mkv", ".avi", ".m4v"]);

/** Reads a job's state from its /history entry. Pure. */
export function statusFromHistory(entry: HistoryEntry): JobStatus {
  const status = entry.status;
  const messages = status?.messages ?? [];
  if (status?.status_str === "error" || (status && status.completed === false && messages.length > 0)) {
    if (messages.some(([event]) => event === "execution_interrupted")) return { state: "cancelled" };
    const err = messages.find(([event]) => event === "execution_error")?.[1];
    const reason = err
      ? `node ${String(err.node_id)} (${String(err.node_type)}) failed: ${String(err.exception_type ?? "error")}: ${String(err.exception_message ?? "").trim()}`
      : "ComfyUI reported an error";
    return { state: "failed", reason };
  }
  return { state: "succeeded", progress: 1 };
}

/** The video file among a prompt's outputs (SaveVideo images+animated, VHS gifs, …). Pure. */
export function findVideoOutput(
  outputs: Record<string, Record<string, unknown>>,
  prefer: readonly string[] = [],
): HistoryFile | null {
  const ids = [
    ...prefer.filter((id) => id in outputs),
    ...Object.keys(outputs).filter((id) => !prefer.includes(id)),
  ];
  for (const id of ids) {
    const ui = outputs[id] ?? {};
    const files: HistoryFile[] = [];
    for (const key of ["gifs", "videos", "video", "images"]) {
      const list = ui[key];
      if (Array.isArray(list))
        files.push(...(list as HistoryFile[]).filter((f) => f && typeof f.filename === "string"));
    }
    const videos = files.filter(
      (f) => VIDEO_EXT.has(extname(f.filename).toLowerCase()) || (f.format ?? "").startsWith("video/"),
    );
    // VHS with audio returns "<prefix>_00001-audio.mp4"; the last video listed is the final one.
    if (videos.length > 0) return videos[videos.length - 1]!;
  }
  return null;
}

export async function createComfyProvider(settings: ComfySettings): Promise<ComfyProvider> {
  const workflow =
    typeof settings.workflow === "string"
      ? builtin(settings.workflow)
      : await loadUserWorkflow(settings.workflow);
  return new ComfyClipProvider(settings, workflow);
}

/** One provider per server, sharing one workflow; the engine spreads jobs over them. */
export async function createComfyPool(
  urls: readonly string[],
  settings: Omit<ComfySettings, "url">,
): Promise<ComfyProvider[]> {
  if (urls.length === 0) throw new UserInputError("comfyui: give at least one server URL");
  const workflow =
    typeof settings.workflow === "string"
      ? builtin(settings.workflow)
      : await loadUserWorkflow(settings.workflow);
  return urls.map((url) => new ComfyClipProvider({ ...settings, url }, workflow));
}

function builtin(name: string): Workflow {
  const w = BUILTIN_WORKFLOWS[name as BuiltinWorkflowName];
  if (!w) {
    throw new UserInputError(
      `comfyui: unknown workflow "${name}"; built-in ones are ${Object.keys(BUILTIN_WORKFLOWS).join(", ")}, or give { file, inputs }`,
    );
  }
  return w;
}

class ComfyClipProvider implements ComfyProvider {
  readonly name = PROVIDER;
  readonly model: string;
  readonly constraints: ClipConstraints;
  readonly concurrency: number;
  readonly price: PriceModel;
  readonly stillLips: StillLips;
  readonly paid: boolean;
  readonly url: string;
  readonly endpoint: string;
  readonly workflow: Workflow;

  private readonly http: ComfyHttp;
  private readonly clientId = randomUUID().replaceAll("-", "");
  private readonly followed = new Map<string, Followed>();
  /** Prompts this process cancelled: a deleted pending prompt leaves no trace on the server. */
  private readonly cancelled = new Set<string>();
  /** Uploaded files by content hash, so the key image goes up once per server. */
  private readonly uploaded = new Map<string, string>();
  private checked: Promise<void> | null = null;
  private videoOutputs: readonly string[];
  private socket: WebSocket | null = null;
  private socketOpen = false;
  private opening: Promise<void> | null = null;
  private epoch = 0;
  private reconnectDelay: number;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly settings: ComfySettings,
    workflow: Workflow,
  ) {
    this.workflow = workflow;
    this.model = workflow.model;
    this.constraints = workflow.constraints;
    this.stillLips = workflow.stillLips;
    this.url = settings.url.replace(/\/+$/, "");
    this.endpoint = `${PROVIDER}@${this.url}`;
    this.concurrency = Math.max(1, Math.floor(settings.concurrency ?? 1));
    this.price = settings.gpu
      ? {
          kind: "per-gpu-second",
          usd: settings.gpu.usdPerSecond,
          gpuSecondsPerVideoSecond: settings.gpu.secondsPerVideoSecond,
        }
      : { kind: "free" };
    this.paid = this.price.kind !== "free" || settings.apiKey !== undefined;
    this.http = new ComfyHttp({
      url: this.url,
      apiKey: settings.apiKey,
      timeoutMs: settings.timeoutMs,
      prefix: settings.apiKey ? "/api" : "",
    });
    this.videoOutputs = workflow.outputs;
    this.reconnectDelay = settings.reconnectMs ?? 500;
  }

  check(signal?: AbortSignal): Promise<void> {
    if (!this.checked) {
      this.checked = this.checkServer(signal).catch((e: unknown) => {
        this.checked = null; // a server that was down may come up: check again next time
        throw e;
      });
    }
    return this.checked;
  }

  private async checkServer(signal?: AbortSignal): Promise<void> {
    const notComfy = (what: string) =>
      new ProviderError(PROVIDER, `${this.url} is not a ComfyUI server (${what})`, {
        hint: "check the URL and port (ComfyUI listens on 8188 by default)",
      });
    let stats: unknown;
    try {
      stats = await this.http.json<unknown>("/system_stats", { signal });
    } catch (e) {
      const auth = e instanceof ProviderError && (e.status === 401 || e.status === 403);
      if (e instanceof ProviderError && !e.transient && !auth)
        throw notComfy(`GET /system_stats: ${e.message}`);
      throw e;
    }
    const s = stats as { system?: unknown; devices?: unknown } | null;
    if (!s || typeof s.system !== "object" || !Array.isArray(s.devices)) {
      throw notComfy("GET /system_stats has no system/devices");
    }
    const info = await this.http.json<Record<string, { output_node?: boolean; python_module?: string }>>(
      "/object_info",
      { signal },
    );
    if (!info || typeof info !== "object" || Array.isArray(info))
      throw notComfy("GET /object_info is not a node list");
    const graph = this.workflow.graph;
    const missing = [...new Set(Object.values(graph).map((n) => n.class_type))].filter((c) => !(c in info));
    if (missing.length > 0) {
      throw new ProviderError(
        PROVIDER,
        `${this.url} lacks the node classes ${missing.join(", ")} that ${this.workflow.source} uses`,
        { hint: installHint(missing) },
      );
    }
    if (this.videoOutputs.length === 0) {
      this.videoOutputs = Object.keys(graph).filter(
        (id) => info[graph[id]!.class_type]?.output_node === true,
      );
      if (this.videoOutputs.length === 0) {
        throw new UserInputError(
          `${this.workflow.source} has no output node (add SaveVideo or VHS_VideoCombine)`,
          {
            file: this.workflow.source,
          },
        );
      }
    }
  }

  async submit(job: ClipJob, signal?: AbortSignal): Promise<Submitted> {
    throwIfAborted(signal);
    const c = this.constraints;
    if (!allowsFrames(c.frameRule, job.frames) || job.frames < c.minFrames || job.frames > c.maxFrames) {
      throw new UserInputError(
        `comfyui ${this.model}: segment ${job.segment} asks for ${job.frames} frames; this workflow makes ${describeFrameRule(c.frameRule)} between ${c.minFrames} and ${c.maxFrames}`,
      );
    }
    await this.check(signal);
    const [image, audio] = await Promise.all([
      this.upload(job.image, "image", signal),
      this.upload(job.audio, "audio", signal),
    ]);
    const instrumental = job.kind === "instrumental";
    const prompt =
      instrumental && this.stillLips === "prompt"
        ? `${job.prompt}${job.prompt ? ". " : ""}The person keeps their mouth closed and does not sing.`
        : job.prompt;
    const graph = fillGraph(this.workflow, {
      image,
      audio,
      frames: job.frames,
      fps: rateToNumber(c.fps),
      seed: job.seed,
      prompt,
      width: snap16(job.width),
      height: snap16(job.height),
      steps: this.settings.steps,
      silent: instrumental && this.stillLips === "silent-audio",
    });
    // The socket must be up before the prompt is queued, or its first events are lost; events can
    // also arrive before POST /prompt answers, so start following first.
    await this.connect();
    const promptId = job.token;
    this.followed.set(promptId, { epoch: this.socketOpen ? this.epoch : -1, state: "queued" });
    this.cancelled.delete(promptId);
    let res: Response;
    try {
      res = await this.http.request("/prompt", {
        method: "POST",
        json: { prompt: graph, client_id: this.clientId, prompt_id: promptId },
        signal,
      });
    } catch (e) {
      this.followed.delete(promptId);
      throw e;
    }
    if (res.status === 400) {
      this.followed.delete(promptId);
      const body = (await res.json().catch(() => ({}))) as ComfyErrorBody;
      throw new ProviderError(
        PROVIDER,
        `${this.url} refused ${this.workflow.source}: ${describeComfyError(body)}`,
        {
          status: 400,
        },
      );
    }
    try {
      await this.http.check(res, "POST /prompt");
    } catch (e) {
      this.followed.delete(promptId);
      throw e;
    }
    const reply = (await res.json().catch(() => ({}))) as { prompt_id?: string } & ComfyErrorBody;
    if (reply.node_errors && Object.keys(reply.node_errors).length > 0) {
      // Some outputs validated and others did not: ours may be among the failed ones, so stop it now.
      await this.cancel(promptId).catch(() => undefined);
      throw new ProviderError(
        PROVIDER,
        `${this.url} refused part of ${this.workflow.source}: ${describeComfyError(reply)}`,
      );
    }
    return { remoteId: reply.prompt_id ?? promptId };
  }

  private async upload(file: string, what: "image" | "audio", signal?: AbortSignal): Promise<string> {
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (e) {
      throw new UserInputError(`${what} ${file}: cannot read it (${(e as NodeJS.ErrnoException).code})`, {
        file,
        cause: e,
      });
    }
    // Named by content: the server returns the existing name for identical bytes and never renames ours.
    const hash = createHash("sha256").update(bytes).digest("hex").slice(0, 20);
    const known = this.uploaded.get(hash);
    if (known) return known;
    const form = new FormData();
    form.append("image", new Blob([bytes]), `refrain-${hash}${extname(file).toLowerCase() || ".bin"}`);
    form.append("type", "input");
    const res = await this.http.check(
      await this.http.request("/upload/image", { method: "POST", body: form, signal, timeoutMs: 5 * 60_000 }),
      `upload of ${what} ${file}`,
    );
    const reply = (await res.json().catch(() => null)) as { name?: string; subfolder?: string } | null;
    if (!reply?.name)
      throw new ProviderError(PROVIDER, `${this.url} answered the ${what} upload without a file name`);
    const name = reply.subfolder ? `${reply.subfolder}/${reply.name}` : reply.name;
    this.uploaded.set(hash, name);
    return name;
  }

  async poll(remoteId: string, signal?: AbortSignal): Promise<JobStatus> {
    throwIfAborted(signal);
    const f = this.followed.get(remoteId);
    if (f && this.trusted(f)) {
      return { state: f.state, progress: f.progress, reason: f.reason };
    }
    const status = await this.serverStatus(remoteId, signal);
    if (status) {
      if (f && status.state === "running" && f.progress !== undefined)
        return { ...status, progress: f.progress };
      return status;
    }
    if (this.cancelled.has(remoteId)) return { state: "cancelled" };
    throw new ProviderError(PROVIDER, `${this.url} does not know prompt ${remoteId}`, {
      hint: "ComfyUI keeps its queue and history in memory: a restarted server forgets every job",
    });
  }

  /** The state as /history and /queue tell it; null when the server knows nothing of the prompt. */
  private async serverStatus(promptId: string, signal?: AbortSignal): Promise<JobStatus | null> {
    const fromHistory = async () => {
      const h = await this.http.json<Record<string, HistoryEntry>>(
        `/history/${encodeURIComponent(promptId)}`,
        {
          signal,
        },
      );
      const entry = h?.[promptId];
      return entry ? statusFromHistory(entry) : null;
    };
    const done = await fromHistory();
    if (done) return done;
    const q = await this.http.json<QueueReply>("/queue", { signal });
    const idOf = (row: unknown[]) => String(row[1]);
    if ((q.queue_running ?? []).some((row) => idOf(row) === promptId)) return { state: "running" };
    const pending = (q.queue_pending ?? [])
      .slice()
      .sort((a, b) => Number(a[0]) - Number(b[0]))
      .findIndex((row) => idOf(row) === promptId);
    if (pending >= 0) return { state: "queued", queuePosition: pending };
    // It may have finished between the two requests: history is written before the queue lets go.
    return fromHistory();
  }

  async lookup(token: string, signal?: AbortSignal): Promise<FoundJob | null> {
    throwIfAborted(signal);
    const status = await this.serverStatus(token, signal);
    return status ? { remoteId: token, status } : null;
  }

  async fetch(remoteId: string, dest: string, signal?: AbortSignal): Promise<void> {
    throwIfAborted(signal);
    const seen = this.followed.get(remoteId);
    const known =
      seen?.state === "succeeded" && seen.outputs ? findVideoOutput(seen.outputs, this.videoOutputs) : null;
    const file = known ?? (await this.videoFromHistory(remoteId, signal));
    const query = new URLSearchParams({
      filename: file.filename,
      subfolder: file.subfolder ?? "",
      type: file.type ?? "output",
    });
    await withTempOutput(dest, (tmp) => this.http.download(`/view?${query}`, tmp, signal));
    this.followed.delete(remoteId);
  }

  private async videoFromHistory(remoteId: string, signal?: AbortSignal): Promise<HistoryFile> {
    const h = await this.http.json<Record<string, HistoryEntry>>(`/history/${encodeURIComponent(remoteId)}`, {
      signal,
    });
    const entry = h?.[remoteId];
    if (!entry) {
      throw new ProviderError(PROVIDER, `${this.url} has no finished prompt ${remoteId}`, {
        hint: "ComfyUI keeps history in memory: after a restart the take must be generated again",
      });
    }
    const status = statusFromHistory(entry);
    if (status.state !== "succeeded") {
      throw new ProviderError(
        PROVIDER,
        `prompt ${remoteId} did not succeed (${status.state}${status.reason ? `: ${status.reason}` : ""})`,
      );
    }
    const file = findVideoOutput(entry.outputs ?? {}, this.videoOutputs);
    if (!file) {
      throw new ProviderError(PROVIDER, `prompt ${remoteId} finished without a video output`, {
        hint: "the workflow needs a SaveVideo or VHS_VideoCombine node with an mp4/webm format",
      });
    }
    return file;
  }

  async cancel(remoteId: string): Promise<void> {
    this.cancelled.add(remoteId);
    const f = this.followed.get(remoteId);
    // A deleted pending prompt sends no event: stop trusting the socket for this one.
    if (f && f.state !== "succeeded" && f.state !== "failed") f.epoch = -1;
    await this.http.post("/queue", { delete: [remoteId] });
    await this.http.post("/interrupt", { prompt_id: remoteId });
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const s = this.socket;
    this.socket = null;
    this.socketOpen = false;
    if (s && s.readyState !== WebSocket.CLOSED) {
      await new Promise<void>((resolve) => {
        s.once("close", () => resolve());
        s.terminate();
      });
    }
  }

  // --- WebSocket ------------------------------------------------------------------------------------

  private trusted(f: Followed): boolean {
    return this.socketOpen && f.epoch === this.epoch && f.epoch >= 0;
  }

  /** Opens the socket if needed; resolves once it is open or has failed (then polling covers). */
  private connect(): Promise<void> {
    if (this.closed || this.settings.websocket === false) return Promise.resolve();
    if (this.socket) return this.socketOpen ? Promise.resolve() : (this.opening ?? Promise.resolve());
    const wsUrl = `${this.url.replace(/^http/, "ws")}/ws?clientId=${this.clientId}`;
    const s = new WebSocket(wsUrl, {
      headers: this.settings.apiKey ? { "X-API-Key": this.settings.apiKey } : {},
      handshakeTimeout: 5000,
    });
    this.socket = s;
    this.opening = new Promise<void>((resolve) => {
      s.once("open", () => resolve());
      s.once("close", () => resolve());
    });
    s.on("open", () => {
      this.socketOpen = true;
      this.reconnectDelay = this.settings.reconnectMs ?? 500;
    });
    s.on("message", (data, isBinary) => {
      if (!isBinary) this.onEvent(String(data));
    });
    s.on("error", () => {
      // "close" follows; polling /history covers the gap.
    });
    s.on("close", () => {
      if (this.socket !== s) return;
      this.socket = null;
      this.socketOpen = false;
      // Everything the old socket saw is now stale: a new epoch makes poll() ask the server.
      this.epoch++;
      this.scheduleReconnect();
    });
    return this.opening;
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer) return;
    const unfinished = [...this.followed.values()].some((f) => f.state === "queued" || f.state === "running");
    if (!unfinished) return; // the next submit reconnects
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      void this.connect();
    }, this.reconnectDelay);
    this.reconnectTimer.unref();
    this.reconnectDelay = Math.min(this.reconnectDelay * 2, 10_000);
  }

  private onEvent(text: string): void {
    let msg: { type?: string; data?: Record<string, unknown> };
    try {
      msg = JSON.parse(text) as typeof msg;
    } catch {
      return;
    }
    const data = msg.data ?? {};
    const f = this.followed.get(String(data.prompt_id));
    if (!f) return;
    switch (msg.type) {
      case "execution_start":
        f.state = "running";
        break;
      case "progress": {
        const value = Number(data.value);
        const max = Number(data.max);
        if (max > 0 && f.state !== "succeeded") {
          f.state = "running";
          f.progress = Math.min(1, value / max);
        }
        break;
      }
      case "executed":
        if (data.output && typeof data.output === "object") {
          f.outputs = { ...f.outputs, [String(data.node)]: data.output as Record<string, unknown> };
        }
        break;
      case "execution_success":
        f.state = "succeeded";
        f.progress = 1;
        break;
      case "execution_error":
        f.state = "failed";
        f.reason = `node ${String(data.node_id)} (${String(data.node_type)}) failed: ${String(data.exception_type ?? "error")}: ${String(data.exception_message ?? "").trim()}`;
        break;
      case "execution_interrupted":
        f.state = "cancelled";
        break;
    }
  }
}

function snap16(n: number): number {
  return Math.max(16, Math.round(n / 16) * 16);
}

function installHint(missing: string[]): string {
  if (missing.some((c) => c.startsWith("VHS_"))) return "install ComfyUI-VideoHelperSuite (ComfyUI-Manager)";
  if (missing.some((c) => /^(WanVideo|MultiTalk|Wav2Vec|LoadWanVideo)/.test(c)))
    return "install kijai's ComfyUI-WanVideoWrapper (ComfyUI-Manager)";
  if (missing.some((c) => c.startsWith("Wan") || c.startsWith("AudioEncoder") || c === "ModelPatchLoader"))
    return "update ComfyUI: these are core nodes of recent versions";
  return "install the custom nodes the workflow needs (ComfyUI-Manager → Install Missing Custom Nodes)";
}
