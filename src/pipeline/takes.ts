// Measuring picked takes once: sync offset against the master and colour against the key image, cached per take.
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { fitFilters, type PickedTake } from "../assemble/index.js";
import { UserInputError } from "../errors/index.js";
import { runFfmpeg } from "../media/index.js";
import type { Plan, Segment } from "../plan/types.js";
import { frameSize } from "../project/index.js";
import { type CacheKey, hashFile, hashKey, type Take } from "../store/index.js";
import {
  type ColourStats,
  colourCorrection,
  colourStats,
  measureTake,
  placeTake,
  type TakeSync,
} from "../sync/index.js";
import { jobAudioSpan } from "./generate.js";
import type { Session } from "./session.js";

/** Bumped when measuring changes; results are cached per take file, so a re-render never re-measures. */
// 3: a frame is frozen only when freezedetect and mpdecimate agree (freezedetect alone took small motion for a freeze).
const MEASURE_VERSION = 4;

/** Below this mean drift (0–255 RGB units) a clip is left as it is: a correction would only cost render time. */
export const COLOUR_DRIFT_THRESHOLD = 4;

export interface TakeMeasurement {
  takeId: string;
  segment: number;
  sync: TakeSync;
  /** Whole frames the take's content is late (negative: early), as placed. */
  offsetFrames: number;
  colour: { driftBefore: number; driftAfter: number; filter: string | null };
  warnings: string[];
}

/**
 * Colour statistics of the key image as a clip frames it: fitted to the output's aspect first, since
 * a square portrait cropped to 16:9 loses its dark edges and would look like a colour cast.
 */
export async function keyImageStats(session: Session): Promise<ColourStats> {
  const o = session.project.config.output;
  const size = frameSize(o.aspect, 360);
  const key: CacheKey = {
    stage: "key-colour",
    version: MEASURE_VERSION,
    inputs: { image: await hashFile(session.project.imagePath) },
    params: { aspect: o.aspect, fit: o.fit },
  };
  const found = await session.store.getStage(key.stage, hashKey(key));
  if (found) return found.result as ColourStats;
  await mkdir(session.workDir, { recursive: true });
  const fitted = join(session.workDir, "key-fitted.png");
  await runFfmpeg(
    session.tools,
    [
      "-i",
      session.project.imagePath,
      "-vf",
      fitFilters(size.width, size.height, o.fit).join(","),
      "-frames:v",
      "1",
      fitted,
    ],
    { signal: session.signal, onCommand: session.onCommand },
  );
  const stats = await colourStats(session.tools, fitted, { sampleFrames: 1, signal: session.signal });
  await session.store.putStage(key, stats, session.now());
  return stats;
}

/** Measures one take (or returns the cached measurement). */
export async function measurePickedTake(
  session: Session,
  plan: Plan,
  segment: Segment,
  take: Take,
  keyStats: ColourStats,
): Promise<TakeMeasurement> {
  const span = jobAudioSpan(plan, segment);
  const key: CacheKey = {
    stage: "take-measure",
    version: MEASURE_VERSION,
    inputs: {
      take: take.outputHash!,
      song: await hashFile(session.project.songPath),
      key: JSON.stringify(keyStats.mean),
    },
    params: {
      start: span.start,
      length: span.length,
      fps: `${plan.fps.num}/${plan.fps.den}`,
      segment: segment.index,
    },
  };
  const found = await session.store.getStage(key.stage, hashKey(key));
  if (found) return found.result as TakeMeasurement;
  const path = session.store.media.path(take.outputHash!);
  const sync = await measureTake(
    session.tools,
    path,
    { path: session.project.songPath, startSample: span.start, lengthSamples: span.length },
    { rate: plan.fps, signal: session.signal },
  );
  const placement = placeTake(sync, segment, plan, plan.fps);
  const correction = colourCorrection(
    await colourStats(session.tools, path, { signal: session.signal }),
    keyStats,
  );
  const corrected = correction.driftBefore >= COLOUR_DRIFT_THRESHOLD;
  const measurement: TakeMeasurement = {
    takeId: take.id,
    segment: segment.index,
    sync,
    offsetFrames: placement.syncFrames,
    colour: corrected
      ? { driftBefore: correction.driftBefore, driftAfter: correction.driftAfter, filter: correction.filter }
      : { driftBefore: correction.driftBefore, driftAfter: correction.driftBefore, filter: null },
    warnings: [...placement.warnings, ...(placement.error ? [placement.error] : [])],
  };
  await session.store.putStage(key, measurement, session.now());
  return measurement;
}

/**
 * The timeline's view of a measured take: where its content sits (the sync offset) and which of its
 * frames may be shown (after a late start and black or frozen head, before a black or frozen tail).
 * Pure; placeTake is re-run on the cached measurement, so the cache keeps its shape.
 */
export function pickOf(
  plan: Plan,
  segment: Segment,
  take: { id: string; path: string },
  m: Pick<TakeMeasurement, "sync" | "colour">,
): PickedTake {
  const placement = placeTake(m.sync, segment, plan, plan.fps);
  return {
    segment: segment.index,
    takeId: take.id,
    path: take.path,
    fps: plan.fps,
    offsetFrames: placement.syncFrames,
    frames: m.sync.frames,
    usableRange: { startFrame: placement.trimHeadFrames, durationFrames: placement.usableFrames },
    ...(placement.error ? { placementError: placement.error } : {}),
    ...(m.sync.width && m.sync.height ? { size: { width: m.sync.width, height: m.sync.height } } : {}),
    ...(m.colour.filter ? { colour: { filter: m.colour.filter } } : {}),
  };
}

export interface PickedForRender {
  picks: PickedTake[];
  missing: number[];
  measurements: TakeMeasurement[];
}

/** The picked take of every segment, measured and ready for the timeline; segments with none are listed. */
export async function pickedTakes(session: Session, plan: Plan): Promise<PickedForRender> {
  const { store } = session;
  // A segment can hold picks under several keys (re-planned, or a continuity chain that moved on):
  // the one whose take is not stale is the segment's pick.
  const bySegment = new Map<number, Take>();
  for (const p of await store.listPicks()) {
    const t = await store.getTake(p.takeId);
    if (t && (!bySegment.has(p.segment) || !t.stale)) bySegment.set(p.segment, t);
  }
  const keyStats = await keyImageStats(session);
  const picks: PickedTake[] = [];
  const missing: number[] = [];
  const measurements: TakeMeasurement[] = [];
  for (const segment of plan.segments) {
    const take = bySegment.get(segment.index);
    if (take?.status !== "succeeded" || !take.outputHash || take.stale) {
      missing.push(segment.index);
      continue;
    }
    if (!store.media.has(take.outputHash)) {
      const i = segment.index;
      throw new UserInputError(
        `segment ${i}: the video of take ${take.id} is gone from ${store.media.root}`,
        {
          hint: `make another with \`refrain reroll ${i}\`, then \`refrain pick ${i} <take>\` (see \`refrain takes ${i}\`)`,
        },
      );
    }
    const cached = await measurePickedTake(session, plan, segment, take, keyStats);
    // Placing is pure and cheap: redone on every render, so a cached measurement follows placeTake's rules.
    const placement = placeTake(cached.sync, segment, plan, plan.fps);
    const m: TakeMeasurement = {
      ...cached,
      offsetFrames: placement.syncFrames,
      warnings: [...placement.warnings, ...(placement.error ? [placement.error] : [])],
    };
    measurements.push(m);
    picks.push(pickOf(plan, segment, { id: take.id, path: store.media.path(take.outputHash) }, m));
  }
  return { picks, missing, measurements };
}
