// The stages of `refrain make`, each cached under one CacheKey: analyse → plan (generate and render follow).
import { type Analysis, analyzeSong } from "../analysis/index.js";
import { type PlanOptions, planSong } from "../plan/index.js";
import type { Plan } from "../plan/types.js";
import { clipConstraints } from "../providers/index.js";
import { type CacheKey, hashFile, hashKey, type StageRecord } from "../store/index.js";
import { type Rate, toRate } from "../time/index.js";
import type { Session } from "./session.js";

/** Bumped by hand when a stage's logic changes its result (never the package version). */
export const STAGE_VERSIONS = { analysis: 1, plan: 1, render: 1 } as const;

export interface StageOutcome<T> {
  readonly value: T;
  readonly key: CacheKey;
  readonly keyHash: string;
  /** True when the stored result was reused. */
  readonly cached: boolean;
}

async function cachedStage<T>(
  session: Session,
  key: CacheKey,
  compute: () => Promise<T>,
): Promise<StageOutcome<T>> {
  const keyHash = hashKey(key);
  const found: StageRecord | undefined = await session.store.getStage(key.stage, keyHash);
  if (found) return { value: found.result as T, key, keyHash, cached: true };
  const value = await compute();
  await session.store.putStage(key, value, session.now());
  return { value, key, keyHash, cached: false };
}

export async function analysisKey(session: Session): Promise<CacheKey> {
  const { songPath, lyricsPath } = session.project;
  const inputs: Record<string, string> = { song: await hashFile(songPath, "song") };
  if (lyricsPath) inputs.lyrics = await hashFile(lyricsPath, "lyrics");
  return { stage: "analysis", version: STAGE_VERSIONS.analysis, inputs, params: {} };
}

export async function analyzeStage(session: Session): Promise<StageOutcome<Analysis>> {
  const key = await analysisKey(session);
  return cachedStage(session, key, async () => {
    session.log("analysing the song…");
    const { analysis } = await analyzeSong(session.tools, session.project.songPath, {
      lyricsPath: session.project.lyricsPath,
      signal: session.signal,
      onCommand: session.onCommand,
      warn: (w) => session.log(`warning: ${w}`),
    });
    return analysis;
  });
}

/** The planner's options from the project file. */
export function planOptions(session: Session): PlanOptions {
  const { config } = session.project;
  return {
    provider: session.clip.provider,
    minSeconds: config.plan.min_s,
    maxSeconds: config.plan.max_s,
    transitionFrames: planTransitionFrames(config.output, clipConstraints(session.clip).fps),
    hardCutOnDownbeats: config.output.hard_cuts_on_downbeats,
  };
}

type TransitionSettings = { transition: string; transition_s: number };

/** The crossfade's length in frames of `rate` ("none": 0): the render's at the output rate. */
export function transitionFramesAt(o: TransitionSettings, rate: Rate): number {
  return o.transition === "none" ? 0 : Math.round((o.transition_s * rate.num) / rate.den);
}

/**
 * The planner's crossfade length in frames of the provider, so that each side's handle covers the
 * render's crossfade side at the output rate: 4 frames at 25 fps hold 0.16 s, but a 0.32 s crossfade
 * at 29.97 fps wants 5 frames (0.167 s) a side, so such a plan gets 5 a side.
 */
export function planTransitionFrames(
  o: TransitionSettings & { fps: number | string },
  provider: Rate,
): number {
  if (o.transition === "none") return 0;
  const output = toRate(o.fps);
  const atProvider = transitionFramesAt(o, provider);
  // The render's frames before and after the cut are ⌊T/2⌋ and ⌈T/2⌉ (src/assemble/timeline.ts).
  const outputSide = Math.ceil(transitionFramesAt(o, output) / 2);
  const num = outputSide * provider.num * output.den;
  const den = provider.den * output.num;
  const providerSide = Math.floor((num + den - 1) / den);
  return Math.max(atProvider, 2 * providerSide);
}

export function planKey(session: Session, analysisKeyHash: string): CacheKey {
  return {
    stage: "plan",
    version: STAGE_VERSIONS.plan,
    inputs: { analysis: analysisKeyHash },
    params: { ...planOptions(session), constraints: clipConstraints(session.clip) },
  };
}

export async function planStage(
  session: Session,
  analysis: StageOutcome<Analysis>,
): Promise<StageOutcome<Plan>> {
  return cachedStage(session, planKey(session, analysis.keyHash), async () =>
    planSong(analysis.value, clipConstraints(session.clip), planOptions(session)),
  );
}
