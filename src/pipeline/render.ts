// The render stage: picked takes → timeline → one finished video, cached on everything that shapes it.
import { access } from "node:fs/promises";
import type { Analysis } from "../analysis/types.js";
import {
  buildTimeline,
  type PickedTake,
  type RenderSettings,
  renderTimeline,
  type Timeline,
} from "../assemble/index.js";
import { UserInputError } from "../errors/index.js";
import type { Plan } from "../plan/types.js";
import { defaultOutputPath, frameSize } from "../project/index.js";
import { type CacheKey, hashFile, hashKey } from "../store/index.js";
import { toRate } from "../time/index.js";
import type { Session } from "./session.js";
import { STAGE_VERSIONS } from "./stages.js";

export interface RenderRequest {
  draft?: boolean;
  /** Output file; default out/<name>.mp4 (out/<name>.draft.mp4 for drafts). */
  out?: string;
  onProgress?: (fraction: number) => void;
}

export interface RenderOutcome {
  path: string;
  cached: boolean;
  frames: number;
  timeline: Timeline;
  missingSegments: number[];
}

/** The picked take of every segment of the plan, in order; segments with none are listed. */
export async function pickedTakes(
  session: Session,
  plan: Plan,
): Promise<{ picks: PickedTake[]; missing: number[] }> {
  const { store } = session;
  const picks = await store.listPicks();
  const bySegment = new Map(picks.map((p) => [p.segment, p]));
  const out: PickedTake[] = [];
  const missing: number[] = [];
  for (const segment of plan.segments) {
    const pick = bySegment.get(segment.index);
    const take = pick ? await store.getTake(pick.takeId) : undefined;
    if (!take || take.status !== "succeeded" || !take.outputHash || take.stale) {
      missing.push(segment.index);
      continue;
    }
    out.push({
      segment: segment.index,
      takeId: take.id,
      path: store.media.path(take.outputHash),
      fps: plan.fps,
    });
  }
  return { picks: out, missing };
}

export function renderSettings(session: Session, draft: boolean): RenderSettings {
  const o = session.project.config.output;
  const size = frameSize(o.aspect, o.resolution);
  return { ...size, rate: toRate(o.fps), fit: o.fit, crf: 20, preset: "medium", draft };
}

export function outputPath(session: Session, request: RenderRequest): string {
  if (request.out) return request.out;
  const base = defaultOutputPath(session.project.dir, session.project.name);
  return request.draft ? base.replace(/\.mp4$/, ".draft.mp4") : base;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

export async function renderStage(
  session: Session,
  plan: Plan,
  planKeyHash: string,
  analysis: Analysis,
  request: RenderRequest = {},
): Promise<RenderOutcome> {
  const { picks, missing } = await pickedTakes(session, plan);
  const o = session.project.config.output;
  const timeline = buildTimeline(plan, picks, {
    rate: toRate(o.fps),
    songPath: session.project.songPath,
    name: session.project.name,
    transition: o.transition === "none" ? "cut" : o.transition === "fade" ? "crossfade" : o.transition,
    transitionFrames:
      o.transition === "none" ? 0 : Math.round((o.transition_s * toRate(o.fps).num) / toRate(o.fps).den),
    downbeats: analysis.downbeats,
  });
  const settings = renderSettings(session, request.draft ?? false);
  const path = outputPath(session, request);
  const key: CacheKey = {
    stage: "render",
    version: STAGE_VERSIONS.render,
    inputs: {
      plan: planKeyHash,
      song: await hashFile(session.project.songPath),
      takes: picks.map((p) => p.takeId).join(","),
    },
    params: { settings, output: o, path },
  };
  const keyHash = hashKey(key);
  const found = await session.store.getStage("render", keyHash);
  if (found && (await exists(path))) {
    return {
      path,
      cached: true,
      frames: (found.result as { frames: number }).frames,
      timeline,
      missingSegments: missing,
    };
  }
  if (picks.length === 0) {
    throw new UserInputError("no segment has a finished take to render", {
      hint: "run `refrain generate` first",
    });
  }
  const result = await renderTimeline(session.tools, timeline, settings, path, {
    signal: session.signal,
    onProgress: request.onProgress,
    onCommand: session.onCommand,
  });
  await session.store.putStage(key, { frames: result.frames, path }, session.now());
  return { path, cached: false, frames: result.frames, timeline, missingSegments: missing };
}
