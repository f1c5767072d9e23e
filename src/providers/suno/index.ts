// Suno through the hosted wrapper at docs.sunoapi.org and the self-hosted gcui-art/suno-api: two songs per request.
import { UserInputError } from "../../errors/index.js";
import type { Tools } from "../../media/index.js";
import type { PriceModel, Submitted } from "../clip.js";
import { HostedHttp } from "../http/client.js";
import { optionalNumber, optionalString, requireKey } from "../http/settings.js";
import { downloadMedia } from "../music/download.js";
import type {
  MusicProvider,
  MusicStatus,
  SongInfo,
  SongRequest,
  StemSeparator,
  StemType,
} from "../music/types.js";

export const SUNOAPI_MODELS = ["V4", "V4_5", "V4_5PLUS", "V4_5ALL", "V5", "V5_5"] as const;

export interface SunoContext {
  readonly tools: Tools;
  readonly env: NodeJS.ProcessEnv;
  readonly log?: (line: string) => void;
}

/** sunoapi.org wraps every answer as {code, msg, data}: HTTP 200 may still carry a refusal in `code`. */
interface Envelope<T> {
  code: number;
  msg?: string;
  data?: T;
}

interface SunoSong {
  id: string;
  audioUrl?: string;
  streamAudioUrl?: string;
  title?: string;
  duration?: number | null;
}

interface RecordInfo {
  taskId: string;
  status: string;
  response?: { sunoData?: SunoSong[] | null } | null;
  errorCode?: number | string | null;
  errorMessage?: string | null;
}

const FAILED = new Set([
  "CREATE_TASK_FAILED",
  "GENERATE_AUDIO_FAILED",
  "CALLBACK_EXCEPTION",
  "SENSITIVE_WORD_ERROR",
]);

/**
 * GET /api/v1/vocal-removal/record-info's data (docs.sunoapi.org "Get Vocal Separation Details"):
 * the state is in `successFlag`, the links are `<stem>Url` fields of `response`, null when absent.
 */
interface StemRecord {
  taskId: string;
  successFlag?: string;
  response?: Record<string, string | null> | null;
  errorCode?: number | string | null;
  errorMessage?: string | null;
}

/** The stems a vocal-removal answer links to, by name (vocal, instrumental, drums…); the original mix is left out. Pure. */
export function stemLinks(
  response: Record<string, string | null> | null | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [field, url] of Object.entries(response ?? {})) {
    if (!field.endsWith("Url") || field === "originUrl" || typeof url !== "string" || !url) continue;
    out[field.slice(0, -3)] = url;
  }
  return out;
}

/** The provider's status word as a job state; FIRST_SUCCESS (one song ready) is still running. Pure. */
export function sunoState(status: string): MusicStatus["state"] {
  if (status === "SUCCESS") return "succeeded";
  if (FAILED.has(status)) return "failed";
  return "running";
}

/** The request body of POST /api/v1/generate in custom mode. Pure. */
export function sunoapiBody(
  request: SongRequest,
  model: string,
  callBackUrl: string,
): Record<string, unknown> {
  const body: Record<string, unknown> = {
    customMode: true,
    instrumental: request.instrumental === true,
    model,
    style: request.style,
    title: request.title,
    callBackUrl,
  };
  if (!request.instrumental) body.prompt = request.lyrics;
  if (request.exclude) body.negativeTags = request.exclude;
  if (request.vocalGender) body.vocalGender = request.vocalGender;
  if (request.styleWeight !== undefined) body.styleWeight = request.styleWeight;
  if (request.weirdness !== undefined) body.weirdnessConstraint = request.weirdness;
  return body;
}

export function createSunoapiProvider(settings: Record<string, unknown>, ctx: SunoContext): MusicProvider {
  const where = "song";
  const key = requireKey(ctx.env, "SUNO_API_KEY", "suno (sunoapi.org)");
  const model = (optionalString(settings, "model", where) ?? "V4_5").toUpperCase();
  if (!(SUNOAPI_MODELS as readonly string[]).includes(model)) {
    throw new UserInputError(`${where}.model: "${model}" is not one of ${SUNOAPI_MODELS.join(", ")}`);
  }
  // sunoapi.org sells credits; the price per request is a setting (default: an estimate, not a quote).
  const price: PriceModel = {
    kind: "per-job",
    usd: optionalNumber(settings, "price_usd", where, { min: 0 }) ?? 0.1,
  };
  // docs.sunoapi.org: separate_vocal costs 1 music-generation credit, split_stem 5. What a credit costs
  // in dollars is not documented there (unverified): one credit is taken as the price of a request
  // unless stem_credit_usd says otherwise.
  const stemCreditUsd = optionalNumber(settings, "stem_credit_usd", where, { min: 0 }) ?? price.usd;
  const callBackUrl =
    optionalString(settings, "callback_url", where) ?? "https://example.invalid/refrain-polls";
  const http = new HostedHttp({
    provider: "suno",
    baseUrl: optionalString(settings, "base_url", where) ?? "https://api.sunoapi.org",
    authHeaders: { Authorization: `Bearer ${key}` },
    keyVariable: "SUNO_API_KEY",
    secrets: [key],
    log: ctx.log,
  });

  async function call<T>(method: string, path: string, json?: unknown, signal?: AbortSignal): Promise<T> {
    const env = await http.json<Envelope<T>>(method, path, { json, signal });
    if (!env || typeof env !== "object")
      throw http.error(`${method} ${path} answered without a body`, { transient: true });
    if (env.code !== 200) {
      const said = env.msg ? `: ${env.msg}` : "";
      if (env.code === 401) {
        throw http.error(`SUNO_API_KEY is not valid (code 401${said})`, {
          status: 401,
          hint: "check SUNO_API_KEY",
        });
      }
      if (env.code === 405 || env.code === 429) {
        throw http.error(`rate limit exceeded (code ${env.code}${said})`, {
          status: env.code,
          transient: true,
          retryAfterS: 10,
        });
      }
      if (env.code === 413) {
        throw http.error(`the lyrics or style are too long (code 413${said})`, {
          status: 413,
          hint: "run `refrain lyrics check` for the model's limits",
        });
      }
      throw http.error(`${method} ${path} was refused (code ${env.code}${said})`, {
        status: env.code,
        transient: env.code >= 500,
      });
    }
    return env.data as T;
  }

  async function record(remoteId: string, signal?: AbortSignal): Promise<RecordInfo> {
    return call<RecordInfo>(
      "GET",
      `/api/v1/generate/record-info?taskId=${encodeURIComponent(remoteId)}`,
      undefined,
      signal,
    );
  }

  const stems: StemSeparator = {
    price: (type: StemType) => stemCreditUsd * (type === "split_stem" ? 5 : 1),
    async submit(remoteId, songId, type, signal) {
      const data = await call<{ taskId: string }>(
        "POST",
        "/api/v1/vocal-removal/generate",
        { taskId: remoteId, audioId: songId, type, callBackUrl },
        signal,
      );
      if (!data?.taskId) throw http.error("POST /api/v1/vocal-removal/generate answered without a taskId");
      return { remoteId: data.taskId };
    },
    async poll(stemsRemoteId, signal) {
      const r = await call<StemRecord>(
        "GET",
        `/api/v1/vocal-removal/record-info?taskId=${encodeURIComponent(stemsRemoteId)}`,
        undefined,
        signal,
      );
      const state = sunoState(r.successFlag ?? "PENDING");
      return {
        state,
        stems: state === "succeeded" ? stemLinks(r.response) : {},
        reason:
          state === "failed" ? `${r.successFlag}${r.errorMessage ? `: ${r.errorMessage}` : ""}` : undefined,
      };
    },
    async fetch(url, dest, signal) {
      await downloadMedia(http, url, dest, { tools: ctx.tools, expect: "audio", signal });
    },
  };

  return {
    name: "suno",
    model,
    stems,
    price,
    paid: true,
    songsPerRequest: 2,
    audioExtension: ".mp3",
    async submit(request, signal): Promise<Submitted> {
      const data = await call<{ taskId: string }>(
        "POST",
        "/api/v1/generate",
        sunoapiBody(request, model, callBackUrl),
        signal,
      );
      if (!data?.taskId) throw http.error("POST /api/v1/generate answered without a taskId");
      return { remoteId: data.taskId };
    },
    async poll(remoteId, signal) {
      const r = await record(remoteId, signal);
      const songs: SongInfo[] = (r.response?.sunoData ?? []).map((s) => ({
        id: s.id,
        title: s.title,
        durationS: s.duration ?? undefined,
        ready: Boolean(s.audioUrl),
      }));
      const state = sunoState(r.status);
      return {
        state,
        songs,
        reason: state === "failed" ? `${r.status}${r.errorMessage ? `: ${r.errorMessage}` : ""}` : undefined,
      };
    },
    async fetchSong(remoteId, songId, dest, signal) {
      const r = await record(remoteId, signal);
      const song = (r.response?.sunoData ?? []).find((s) => s.id === songId);
      if (!song?.audioUrl)
        throw http.error(`song ${songId} of ${remoteId} has no download link yet`, { transient: true });
      await downloadMedia(http, song.audioUrl, dest, { tools: ctx.tools, expect: "audio", signal });
    },
    async alignedWords(remoteId, songId, signal) {
      const data = await call<unknown>(
        "POST",
        "/api/v1/generate/get-timestamped-lyrics",
        { taskId: remoteId, audioId: songId },
        signal,
      );
      return data ? { data } : null;
    },
  };
}

interface GcuiClip {
  id: string;
  status: string;
  audio_url?: string | null;
  title?: string;
  duration?: number | string | null;
  error_message?: string | null;
}

/** Self-hosted gcui-art/suno-api (Suno cookie + 2Captcha on the server side; no key here). */
export function createSunoSelfHostedProvider(
  settings: Record<string, unknown>,
  ctx: SunoContext,
): MusicProvider {
  const where = "song";
  const model = optionalString(settings, "model", where) ?? "chirp-v3-5";
  const http = new HostedHttp({
    provider: "suno-self-hosted",
    baseUrl: optionalString(settings, "base_url", where) ?? "http://127.0.0.1:3000",
    keyVariable: "SUNO_COOKIE",
    secrets: [ctx.env.SUNO_COOKIE],
    log: ctx.log,
    timeoutMs: 120_000,
  });
  const clips = (ids: string, signal?: AbortSignal) =>
    http.json<GcuiClip[]>("GET", `/api/get?ids=${encodeURIComponent(ids)}`, { signal });
  return {
    name: "suno-self-hosted",
    model,
    price: { kind: "free" },
    paid: false,
    songsPerRequest: 2,
    audioExtension: ".mp3",
    async submit(request, signal) {
      const body: Record<string, unknown> = {
        prompt: request.instrumental ? "" : request.lyrics,
        tags: request.style,
        title: request.title,
        make_instrumental: request.instrumental === true,
        model,
        wait_audio: false,
      };
      if (request.exclude) body.negative_tags = request.exclude;
      const made = await http.json<GcuiClip[]>("POST", "/api/custom_generate", { json: body, signal });
      if (!Array.isArray(made) || made.length === 0)
        throw http.error("POST /api/custom_generate answered without clips");
      return { remoteId: made.map((c) => c.id).join(",") };
    },
    async poll(remoteId, signal) {
      const list = await clips(remoteId, signal);
      const songs = list.map((c) => ({
        id: c.id,
        title: c.title,
        durationS: c.duration == null ? undefined : Number(c.duration),
        ready: c.status === "complete" && Boolean(c.audio_url),
      }));
      const errors = list.filter((c) => c.status === "error");
      const done = list.every((c) => c.status === "complete" || c.status === "error");
      return {
        state: !done ? "running" : errors.length === list.length ? "failed" : "succeeded",
        songs,
        reason: errors[0] ? `clip ${errors[0].id}: ${errors[0].error_message ?? "error"}` : undefined,
      };
    },
    async fetchSong(remoteId, songId, dest, signal) {
      void remoteId;
      const [clip] = await clips(songId, signal);
      if (!clip?.audio_url) throw http.error(`song ${songId} has no audio yet`, { transient: true });
      await downloadMedia(http, clip.audio_url, dest, { tools: ctx.tools, expect: "audio", signal });
    },
    async alignedWords(_remoteId, songId, signal) {
      return http.json<unknown>("GET", `/api/get_aligned_lyrics?song_id=${encodeURIComponent(songId)}`, {
        signal,
      });
    },
  };
}
