// ACE-Step 1.5 (open model, self-hosted API server): release_task → query_result → /v1/audio, free, a batch of songs per request.
import { UserInputError } from "../../errors/index.js";
import type { Tools } from "../../media/index.js";
import type { Submitted } from "../clip.js";
import { HostedHttp } from "../http/client.js";
import { oneOf, optionalNumber, optionalString } from "../http/settings.js";
import { downloadMedia } from "../music/download.js";
import type { MusicProvider, MusicStatus, SongInfo, SongRequest } from "../music/types.js";

export const ACESTEP_FORMATS = ["mp3", "wav", "flac"] as const;
export type AceStepFormat = (typeof ACESTEP_FORMATS)[number];

export interface AceStepContext {
  readonly tools: Tools;
  readonly env: NodeJS.ProcessEnv;
  readonly log?: (line: string) => void;
  /** The clock the deadline is measured on (tests pass their own). */
  readonly now?: () => number;
}

/** Every reply of api_server.py is wrapped like this; `code` other than 200 is a refusal. */
interface Envelope<T> {
  data: T;
  code: number;
  error: string | null;
  timestamp?: number;
  extra?: unknown;
}

interface QueryItem {
  task_id: string;
  /** 0 queued or running (also: a task the server does not know), 1 done, 2 failed. */
  status: number;
  /** A JSON string: one entry per song of the batch once done. */
  result: string;
  progress_text?: string;
}

interface ResultEntry {
  file?: string;
  status?: number;
  error?: string;
  metas?: { duration?: number };
}

/** The song length ACE-Step accepts (audio_duration 10–600 s). */
const MIN_S = 10;
const MAX_S = 600;

/**
 * A task the server reports running for longer than this is one it no longer knows: the real
 * server turns its own tasks to failed after one hour (TASK_TIMEOUT_SECONDS), but an unknown
 * task_id (after a server restart) answers "running" forever.
 */
const DEFAULT_DEADLINE_S = 3900;

/** The body of POST /release_task for a song request. Pure. */
export function releaseTaskBody(
  request: SongRequest,
  o: {
    model?: string;
    batchSize: number;
    format: AceStepFormat;
    durationS: number;
    inferenceSteps?: number;
    vocalLanguage?: string;
    thinking?: boolean;
  },
): Record<string, unknown> {
  // ACE-Step reads the section tags in the lyrics itself; an instrumental is asked for with the tag alone.
  const body: Record<string, unknown> = {
    task_type: "text2music",
    prompt: request.style,
    lyrics: request.instrumental ? "[Instrumental]" : request.lyrics,
    audio_duration: Math.min(MAX_S, Math.max(MIN_S, request.durationS ?? o.durationS)),
    batch_size: o.batchSize,
    audio_format: o.format,
  };
  if (o.model) body.model = o.model;
  if (o.inferenceSteps !== undefined) body.inference_steps = o.inferenceSteps;
  if (o.vocalLanguage) body.vocal_language = o.vocalLanguage;
  if (o.thinking !== undefined) body.thinking = o.thinking;
  if (request.seed !== undefined) {
    body.seed = request.seed;
    body.use_random_seed = false;
  }
  return body;
}

/** Reads one query_result item as a music status; `overdue` when our own deadline has passed. Pure. */
export function aceStepStatus(item: QueryItem | undefined, overdue: boolean, waitedS: number): MusicStatus {
  if (!item) return { state: "running", songs: [] };
  let entries: ResultEntry[] = [];
  try {
    const parsed = JSON.parse(item.result || "[]") as unknown;
    if (Array.isArray(parsed)) entries = parsed as ResultEntry[];
  } catch {
    // A result that is not JSON carries no songs; the status decides.
  }
  if (item.status === 1) {
    const songs: SongInfo[] = entries.map((e, i) => ({
      id: String(i),
      durationS: e.metas?.duration,
      ready: Boolean(e.file),
    }));
    return { state: "succeeded", songs };
  }
  if (item.status === 2) {
    const said = entries.find((e) => e.error)?.error ?? item.progress_text;
    return { state: "failed", songs: [], reason: `ACE-Step failed the task${said ? `: ${said}` : ""}` };
  }
  if (overdue) {
    return {
      state: "failed",
      songs: [],
      reason: `still not finished after ${Math.round(waitedS)} s: the server has likely restarted and forgotten the task (it never answers "not found")`,
    };
  }
  return { state: "running", songs: [] };
}

export function createAceStepProvider(settings: Record<string, unknown>, ctx: AceStepContext): MusicProvider {
  const where = "music";
  const now = ctx.now ?? Date.now;
  // The key is optional: a local server usually runs without one (ACESTEP_API_KEY on the server).
  const key = ctx.env.ACESTEP_API_KEY?.trim() || undefined;
  const model = optionalString(settings, "model", where);
  const format = oneOf(settings, "audio_format", where, ACESTEP_FORMATS, "mp3");
  const batchSize = optionalNumber(settings, "batch_size", where, { min: 1, max: 8, integer: true }) ?? 2;
  const durationS = optionalNumber(settings, "duration_s", where, { min: MIN_S, max: MAX_S }) ?? 180;
  const inferenceSteps = optionalNumber(settings, "inference_steps", where, {
    min: 1,
    max: 200,
    integer: true,
  });
  const vocalLanguage = optionalString(settings, "vocal_language", where);
  const thinking = settings.thinking;
  if (thinking !== undefined && typeof thinking !== "boolean")
    throw new UserInputError(`${where}.thinking must be true or false`);
  const deadlineS = optionalNumber(settings, "deadline_s", where, { min: 1 }) ?? DEFAULT_DEADLINE_S;
  const http = new HostedHttp({
    provider: "acestep",
    baseUrl: optionalString(settings, "base_url", where) ?? "http://127.0.0.1:8001",
    authHeaders: key ? { Authorization: `Bearer ${key}` } : undefined,
    keyVariable: "ACESTEP_API_KEY",
    secrets: [key],
    log: ctx.log,
    timeoutMs: 120_000,
  });
  // When each task was first seen here, for the deadline (after a restart of refrain: its first poll).
  const firstSeen = new Map<string, number>();

  async function call<T>(path: string, json: unknown, signal?: AbortSignal): Promise<T> {
    let env: Envelope<T> | null;
    try {
      env = await http.json<Envelope<T>>("POST", path, { json, signal });
    } catch (e) {
      const err = e as { status?: number };
      if (err.status === 401 && !key) {
        throw http.error(`the server at ${http.baseUrl} wants an API key: set ACESTEP_API_KEY`, {
          status: 401,
          hint: "set ACESTEP_API_KEY in the environment or the project's .env",
        });
      }
      throw e;
    }
    if (!env || typeof env !== "object" || !("code" in env))
      throw http.error(`POST ${path} answered without ACE-Step's {data, code, error} wrapper`, {
        hint: "check music.base_url points at an ACE-Step API server",
      });
    if (env.code !== 200)
      throw http.error(`POST ${path} was refused (code ${env.code}${env.error ? `: ${env.error}` : ""})`, {
        status: env.code,
        transient: env.code === 429 || env.code >= 500,
      });
    return env.data;
  }

  async function query(remoteId: string, signal?: AbortSignal): Promise<QueryItem | undefined> {
    const items = await call<QueryItem[]>("/query_result", { task_id_list: [remoteId] }, signal);
    return Array.isArray(items) ? items.find((i) => i.task_id === remoteId) : undefined;
  }

  return {
    name: "acestep",
    model: model ?? "acestep-v15-turbo",
    price: { kind: "free" },
    paid: false,
    songsPerRequest: batchSize,
    audioExtension: `.${format}`,
    async submit(request, signal): Promise<Submitted> {
      const body = releaseTaskBody(request, {
        model,
        batchSize,
        format,
        durationS,
        inferenceSteps,
        vocalLanguage,
        thinking: thinking as boolean | undefined,
      });
      const data = await call<{ task_id?: string }>("/release_task", body, signal);
      if (!data?.task_id) throw http.error("POST /release_task answered without a task_id");
      firstSeen.set(data.task_id, now());
      return { remoteId: data.task_id };
    },
    async poll(remoteId, signal) {
      const item = await query(remoteId, signal);
      if (!firstSeen.has(remoteId)) firstSeen.set(remoteId, now());
      const waitedS = (now() - firstSeen.get(remoteId)!) / 1000;
      return aceStepStatus(item, waitedS > deadlineS, waitedS);
    },
    async fetchSong(remoteId, songId, dest, signal) {
      const item = await query(remoteId, signal);
      let entries: ResultEntry[] = [];
      try {
        entries = JSON.parse(item?.result ?? "[]") as ResultEntry[];
      } catch {
        entries = [];
      }
      const file = entries[Number(songId)]?.file;
      if (item?.status !== 1 || !file)
        throw http.error(`song ${songId} of task ${remoteId} has no audio file`, { transient: true });
      // A relative /v1/audio link is the server's own and wants the key; a full URL elsewhere must not get it.
      const own = file.startsWith("/") || http.url(file).origin === http.url("/").origin;
      await downloadMedia(http, file, dest, { tools: ctx.tools, expect: "audio", auth: own, signal });
    },
  };
}
