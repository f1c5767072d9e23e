// Separating a song take into stems: the request is kept as a take before waiting, each stem becomes a take with its share of the cost.
import { randomUUID } from "node:crypto";
import { ProviderError, throwIfAborted, UserInputError } from "../../errors/index.js";
import { probe, type Tools } from "../../media/index.js";
import { type MediaTake, type MediaTakes, submittedTake } from "./takes.js";
import type { MusicProvider, StemsStatus, StemType } from "./types.js";

export interface SeparateStemsOptions {
  /** The stems index (kind "stems"). */
  readonly stems: MediaTakes;
  readonly tools: Tools;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly pollMs?: number;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  readonly log?: (line: string) => void;
}

/** What the stems' spec records: which song take, which separation. */
export interface StemSpec {
  readonly song: string;
  readonly type: StemType;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Asks the provider to split a made song into stems and downloads them; resolves with one take per
 * stem. The whole price is recorded from the moment of submission (one `submitted` take), so a
 * crash while waiting never hides money spent; on success it is shared among the stems.
 */
export async function separateStems(
  provider: MusicProvider,
  song: MediaTake,
  type: StemType,
  options: SeparateStemsOptions,
): Promise<MediaTake[]> {
  const separator = provider.stems;
  if (!separator) {
    throw new UserInputError(`${provider.name} cannot separate stems: only sunoapi.org songs can`);
  }
  if (song.status !== "succeeded" || !song.remoteId || !song.item) {
    throw new UserInputError(
      `song take ${song.id.slice(0, 8)} is ${song.status}: only a finished song can be split into stems`,
    );
  }
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  throwIfAborted(options.signal);
  const price = separator.price(type);
  const { remoteId } = await separator.submit(song.remoteId, song.item, type, options.signal);
  const spec: StemSpec = { song: song.id, type };
  const pending = submittedTake({
    request: randomUUID(),
    provider,
    remoteId,
    spec,
    estimatedUsd: price,
    createdAt: now(),
  });
  await options.stems.put(pending);
  options.log?.(`${provider.name}: stems (${type}) of take ${song.id.slice(0, 8)} requested as ${remoteId}`);

  const started = now();
  let status: StemsStatus;
  for (;;) {
    throwIfAborted(options.signal);
    status = await separator.poll(remoteId, options.signal);
    if (["succeeded", "failed", "cancelled"].includes(status.state)) break;
    if (now() - started > (options.timeoutMs ?? 600_000)) {
      throw new ProviderError(
        provider.name,
        `stem request ${remoteId} is still running after the time limit`,
        {
          transient: true,
          hint: `its take ${pending.id.slice(0, 8)} is kept as submitted`,
        },
      );
    }
    await sleep(options.pollMs ?? 5000);
  }
  const names = Object.keys(status.stems);
  if (status.state !== "succeeded" || names.length === 0) {
    // A refused separation is not charged by sunoapi.org (unverified): recorded as $0.
    const failed: MediaTake = {
      ...pending,
      status: "failed",
      actualUsd: 0,
      finishedAt: now(),
      failureReason: status.reason ?? `no stems arrived (${status.state})`,
    };
    await options.stems.put(failed);
    throw new ProviderError(provider.name, `stems of take ${song.id.slice(0, 8)}: ${failed.failureReason}`, {
      hint: "the attempt is kept under .refrain/takes/stems",
    });
  }
  const share = price / names.length;
  const out: MediaTake[] = [];
  for (const [i, name] of names.entries()) {
    const file = `${song.id}.${type}.${name}${provider.audioExtension}`;
    await separator.fetch(status.stems[name]!, options.stems.path(file), options.signal);
    const info = await probe(options.tools, options.stems.path(file), "stem", options.signal);
    const take: MediaTake = {
      ...pending,
      // The first stem keeps the submitted take's id, so the index never counts the price twice.
      id: i === 0 ? pending.id : randomUUID(),
      item: name,
      status: "succeeded",
      estimatedUsd: share,
      actualUsd: share,
      finishedAt: now(),
      file,
      durationS: info.durationS,
    };
    await options.stems.put(take);
    out.push(take);
  }
  options.log?.(
    `${provider.name}: ${out.length} stems of take ${song.id.slice(0, 8)} kept (${names.join(", ")})`,
  );
  return out;
}
