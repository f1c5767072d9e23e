// Making songs: submit one request, keep its songs as takes before waiting, poll, fetch audio and aligned words.
import { randomUUID } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { Cancelled, ProviderError, throwIfAborted } from "../../errors/index.js";
import { withTempOutput } from "../../files/index.js";
import { probe, type Tools } from "../../media/index.js";
import { estimateCost } from "../clip.js";
import { type MediaTake, type MediaTakes, submittedTake } from "./takes.js";
import type { MusicProvider, MusicStatus, SongRequest } from "./types.js";

export interface MakeSongsOptions {
  readonly takes: MediaTakes;
  readonly tools: Tools;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Between polls (default 5 s). */
  readonly pollMs?: number;
  /** Give up waiting after this long (default 10 minutes); the takes stay `submitted` for a resume. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  readonly log?: (line: string) => void;
}

/** The estimated price of one request, before it is made. */
export function estimateSong(provider: MusicProvider): number {
  return estimateCost(provider.price, 0);
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Submits one request and waits for its songs; resolves with every take of the request, failed ones included. */
export async function makeSongs(
  provider: MusicProvider,
  request: SongRequest,
  options: MakeSongsOptions,
): Promise<MediaTake[]> {
  const now = options.now ?? Date.now;
  throwIfAborted(options.signal);
  const { remoteId } = await provider.submit(request, options.signal);
  const group = randomUUID();
  const share = estimateSong(provider) / provider.songsPerRequest;
  const takes = Array.from({ length: provider.songsPerRequest }, () =>
    submittedTake({
      request: group,
      provider,
      remoteId,
      spec: request,
      estimatedUsd: share,
      createdAt: now(),
    }),
  );
  await options.takes.put(...takes);
  options.log?.(`${provider.name}: request ${remoteId} submitted (${takes.length} songs)`);
  return resumeSongs(provider, takes, options);
}

/** Waits for a submitted request's songs and finishes its takes (also after a restart). */
export async function resumeSongs(
  provider: MusicProvider,
  takes: readonly MediaTake[],
  options: MakeSongsOptions,
): Promise<MediaTake[]> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const remoteId = takes[0]?.remoteId;
  if (!remoteId) return [...takes];
  const started = now();
  let status: MusicStatus | undefined;
  let transientFailures = 0;
  for (;;) {
    throwIfAborted(options.signal);
    try {
      status = await provider.poll(remoteId, options.signal);
      transientFailures = 0;
    } catch (e) {
      if (e instanceof ProviderError && e.transient && transientFailures++ < 5) {
        await sleep((e.retryAfterS ?? 2 ** transientFailures) * 1000);
        continue;
      }
      throw e;
    }
    if (["succeeded", "failed", "cancelled"].includes(status.state)) break;
    if (now() - started > (options.timeoutMs ?? 600_000)) {
      throw new ProviderError(provider.name, `request ${remoteId} is still running after the time limit`, {
        transient: true,
        hint: "its takes are kept as submitted: run `refrain song --resume` later",
      });
    }
    await sleep(options.pollMs ?? 5000);
  }
  const out: MediaTake[] = [];
  const songs = status.songs;
  const assigned = new Set(takes.map((t) => t.item).filter((x): x is string => x !== null));
  for (let i = 0; i < takes.length; i++) {
    const take = takes[i]!;
    const song = take.item ? songs.find((s) => s.id === take.item) : songs.find((s) => !assigned.has(s.id));
    if (song) assigned.add(song.id);
    const claimed: MediaTake = { ...take, item: take.item ?? song?.id ?? null };
    if (!song?.ready) {
      const failed: MediaTake = {
        ...claimed,
        status: "failed",
        finishedAt: now(),
        actualUsd: 0,
        failureReason: status.reason ?? `the provider delivered no song ${i + 1} (${status.state})`,
      };
      out.push(failed);
      await options.takes.put(failed);
      continue;
    }
    try {
      out.push(await fetchTake(provider, claimed, song.id, options));
    } catch (e) {
      if (e instanceof Cancelled) throw e;
      const failed: MediaTake = {
        ...claimed,
        status: "failed",
        finishedAt: now(),
        actualUsd: claimed.estimatedUsd,
        failureReason: (e as Error).message,
      };
      out.push(failed);
      await options.takes.put(failed);
    }
  }
  return out;
}

async function fetchTake(
  provider: MusicProvider,
  take: MediaTake,
  songId: string,
  options: MakeSongsOptions,
): Promise<MediaTake> {
  const now = options.now ?? Date.now;
  const file = `${take.id}${provider.audioExtension}`;
  await provider.fetchSong(take.remoteId!, songId, options.takes.path(file), options.signal);
  const info = await probe(options.tools, options.takes.path(file), "song", options.signal);
  let lyrics: string | null = null;
  let note: string | null = null;
  const instrumental = (take.spec as SongRequest | undefined)?.instrumental === true;
  if (provider.alignedWords && !instrumental) {
    try {
      const words = await provider.alignedWords(take.remoteId!, songId, options.signal);
      if (words) {
        lyrics = `${take.id}.words.json`;
        await withTempOutput(options.takes.path(lyrics), (tmp) =>
          writeFile(tmp, JSON.stringify(words, null, 1)),
        );
      }
    } catch (e) {
      if (e instanceof Cancelled) throw e;
      note = `no aligned words: ${(e as Error).message}`;
    }
  }
  const done: MediaTake = {
    ...take,
    status: "succeeded",
    finishedAt: now(),
    actualUsd: take.estimatedUsd,
    file,
    lyrics,
    note,
    durationS: info.durationS,
  };
  await options.takes.put(done);
  options.log?.(
    `${provider.name}: song ${songId} kept as take ${take.id.slice(0, 8)} (${info.durationS.toFixed(1)} s)`,
  );
  return done;
}
