// Money: what a plan will cost before anything is paid, and what was spent per accepted second after.
import type { ClipProvider } from "../providers/clip.js";
import { estimateCost } from "../providers/clip.js";
import { mediaSpend } from "../providers/music/budget.js";
import type { Store } from "../store/index.js";
import { rateToNumber } from "../time/index.js";
import type { JobSpec } from "./types.js";

export interface PlanEstimate {
  /** The most the jobs can cost on this pool (each job priced on its dearest endpoint). */
  readonly totalUsd: number;
  /** What all the jobs would cost on each endpoint alone, by provider endpoint (or name). */
  readonly perProvider: Readonly<Record<string, number>>;
  /** Seconds of video the jobs make. */
  readonly videoSeconds: number;
}

/** Cost of one job on one provider: its own estimate when given, else the price model's. */
export function estimateJob(job: JobSpec, provider: ClipProvider): number {
  if (job.estimatedUsd !== undefined) return job.estimatedUsd;
  const seconds = job.frames / rateToNumber(provider.constraints.fps);
  return estimateCost(provider.price, seconds, `${job.width}x${job.height}`);
}

/** Prices a plan's jobs from the providers' price models alone: nothing is called, nothing paid. */
export function estimatePlan(
  jobs: readonly JobSpec[],
  providers: ClipProvider | readonly ClipProvider[],
): PlanEstimate {
  const pool = Array.isArray(providers)
    ? (providers as readonly ClipProvider[])
    : [providers as ClipProvider];
  const perProvider: Record<string, number> = {};
  pool.forEach((p, i) => {
    const id =
      (p as ClipProvider & { endpoint?: string }).endpoint ?? (pool.length > 1 ? `${p.name}#${i}` : p.name);
    perProvider[id] = jobs.reduce((sum, j) => sum + estimateJob(j, p), 0);
  });
  const totalUsd = jobs.reduce((sum, j) => sum + Math.max(0, ...pool.map((p) => estimateJob(j, p))), 0);
  const fps = pool[0] ? rateToNumber(pool[0].constraints.fps) : 1;
  const videoSeconds = jobs.reduce((sum, j) => sum + j.frames / fps, 0);
  return { totalUsd, perProvider, videoSeconds };
}

export interface CostReport {
  /** Money charged so far. */
  readonly spentUsd: number;
  /** Money held for takes not yet finished (or uncertain). */
  readonly reservedUsd: number;
  /** Seconds of video in picked takes. */
  readonly acceptedVideoSeconds: number;
  /** Spent ÷ accepted seconds: what a usable second of video really cost; null before any pick. */
  readonly usdPerAcceptedSecond: number | null;
  readonly takes: { readonly succeeded: number; readonly failed: number; readonly picked: number };
  /** Song and stem takes' recorded costs (named as `refrain cost --json` prints them); 0 without a project folder. */
  readonly songs_usd: number;
  /** Key image takes' recorded costs. */
  readonly images_usd: number;
}

/** `projectDir` adds the songs and images made before the plan (kept beside the store, not in it). */
export async function costReport(store: Store, projectDir?: string): Promise<CostReport> {
  const media = projectDir ? await mediaSpend(projectDir) : { songsUsd: 0, imagesUsd: 0 };
  const totals = await store.ledgerTotals();
  const takes = await store.listTakes();
  // A pick of a segment the plan no longer has (stale) is not in the video: it is not accepted video.
  const picked = takes.filter((t) => t.picked && !t.stale);
  const acceptedVideoSeconds = picked.reduce((sum, t) => sum + t.videoSeconds, 0);
  return {
    spentUsd: totals.chargedUsd,
    reservedUsd: totals.reservedUsd,
    acceptedVideoSeconds,
    usdPerAcceptedSecond: acceptedVideoSeconds > 0 ? totals.chargedUsd / acceptedVideoSeconds : null,
    takes: {
      succeeded: takes.filter((t) => t.status === "succeeded").length,
      failed: takes.filter((t) => t.status === "failed").length,
      picked: picked.length,
    },
    songs_usd: media.songsUsd,
    images_usd: media.imagesUsd,
  };
}
