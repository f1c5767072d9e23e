// The render stage: picked takes → measured, placed, colour-matched timeline → one finished video with lyrics.
import { access, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Analysis } from "../analysis/types.js";
import { buildTimeline, type RenderSettings, renderTimeline, type Timeline } from "../assemble/index.js";
import { UserInputError } from "../errors/index.js";
import { checkFont, toAss } from "../export/index.js";
import { withTempOutput, writeFileAtomic } from "../files/index.js";
import { runFfmpeg } from "../media/index.js";
import type { Plan } from "../plan/types.js";
import { defaultOutputPath, frameSize } from "../project/index.js";
import { type CacheKey, hashFile, hashKey } from "../store/index.js";
import { toRate } from "../time/index.js";
import type { Session } from "./session.js";
import { STAGE_VERSIONS, transitionFramesAt } from "./stages.js";
import { pickedTakes, type TakeMeasurement } from "./takes.js";

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
  measurements: TakeMeasurement[];
  warnings: string[];
}

export function renderSettings(session: Session, draft: boolean): RenderSettings {
  const o = session.project.config.output;
  const size = frameSize(o.aspect, o.resolution);
  return { ...size, rate: toRate(o.fps), fit: o.fit, crf: 20, preset: o.preset, draft };
}

export function outputPath(session: Session, request: RenderRequest): string {
  if (request.out) return request.out;
  const o = session.project.config.output;
  const base = o.file
    ? join(session.project.dir, o.file)
    : defaultOutputPath(session.project.dir, session.project.name);
  return request.draft ? base.replace(/(\.\w+)?$/, ".draft$1") : base;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** The project's word for a transition in the timeline's: "none" is a hard cut, "fade" a crossfade. */
function transitionFor(name: string): string {
  return name === "none" ? "cut" : name === "fade" ? "crossfade" : name;
}

/** The timeline of the picked takes, with their measured offsets and colour corrections. */
export async function timelineFor(session: Session, plan: Plan, analysis: Analysis) {
  const picked = await pickedTakes(session, plan);
  const o = session.project.config.output;
  const rate = toRate(o.fps);
  const timeline = buildTimeline(plan, picked.picks, {
    rate,
    songPath: session.project.songPath,
    name: session.project.name,
    transition: transitionFor(o.transition),
    transitionsBySection: o.transitions
      ? Object.fromEntries(Object.entries(o.transitions).map(([section, t]) => [section, transitionFor(t)]))
      : undefined,
    hardCutsOnDownbeats: o.hard_cuts_on_downbeats,
    transitionFrames: transitionFramesAt(o, rate),
    downbeats: analysis.downbeats,
  });
  return { timeline, ...picked };
}

/** Writes the karaoke subtitles for the video's frame size; null when there are no lyrics or they are off. */
async function writeSubtitles(
  session: Session,
  analysis: Analysis,
  settings: RenderSettings,
): Promise<string | null> {
  const o = session.project.config.output;
  if (o.subtitles === "none" || !analysis.lyrics || analysis.lyrics.lines.length === 0) return null;
  const ass = toAss(analysis.lyrics, {
    width: settings.width,
    height: settings.height,
    preset: o.aspect,
    karaoke: true,
  });
  if (o.subtitles === "burn") await checkFont("Noto Sans CJK SC");
  const path = join(session.workDir, "lyrics.ass");
  await writeFileAtomic(path, ass);
  return path;
}

export async function renderStage(
  session: Session,
  plan: Plan,
  planKeyHash: string,
  analysis: Analysis,
  request: RenderRequest = {},
): Promise<RenderOutcome> {
  const { timeline, picks, missing, measurements } = await timelineFor(session, plan, analysis);
  const settings = renderSettings(session, request.draft ?? false);
  const path = outputPath(session, request);
  const o = session.project.config.output;
  const key: CacheKey = {
    stage: "render",
    version: STAGE_VERSIONS.render,
    inputs: {
      plan: planKeyHash,
      song: await hashFile(session.project.songPath),
      takes: picks.map((p) => p.takeId).join(","),
      lyrics: analysis.lyrics
        ? hashKey({ stage: "lyrics", version: 1, inputs: {}, params: { l: analysis.lyrics.lines } })
        : "",
    },
    params: { settings, output: o, path },
  };
  const keyHash = hashKey(key);
  // What measuring the takes and placing them decided (cut heads, held frames, shortened transitions).
  // Segments without a take are reported once, by the caller, from `missingSegments`.
  const unpicked = missing.map((i) => `segment ${i} has no picked take`);
  const warnings = [
    ...measurements.flatMap((m) => m.warnings),
    ...timeline.warnings.filter((w) => !unpicked.some((u) => w.startsWith(u))),
  ];
  const found = await session.store.getStage("render", keyHash);
  if (found && (await exists(path))) {
    const frames = (found.result as { frames: number }).frames;
    return { path, cached: true, frames, timeline, missingSegments: missing, measurements, warnings };
  }
  if (picks.length === 0) {
    throw new UserInputError("no segment has a finished take to render", {
      hint: "run `refrain generate` first",
    });
  }
  const subtitles = await writeSubtitles(session, analysis, settings);
  const burn = subtitles !== null && o.subtitles === "burn";
  const render = (out: string) =>
    renderTimeline(
      session.tools,
      timeline,
      { ...settings, ...(burn ? { subtitlesPath: subtitles, burnSubtitles: true } : {}) },
      out,
      {
        signal: session.signal,
        onProgress: request.onProgress,
        onCommand: session.onCommand,
      },
    );
  let result: Awaited<ReturnType<typeof render>>;
  if (subtitles && o.subtitles === "soft") {
    // A soft track is added by a remux: no frame is encoded twice.
    result = await withTempOutput(path, async (tmp) => {
      const video = tmp.replace(/\.mp4$/, ".video.mp4");
      const r = await render(video);
      try {
        await runFfmpeg(
          session.tools,
          [
            "-i",
            video,
            "-i",
            subtitles,
            "-map",
            "0",
            "-map",
            "1",
            "-c",
            "copy",
            "-c:s",
            "mov_text",
            "-metadata:s:s:0",
            "language=und",
            "-movflags",
            "+faststart",
            tmp,
          ],
          { signal: session.signal, onCommand: session.onCommand },
        );
      } finally {
        await rm(video, { force: true });
      }
      return r;
    });
  } else {
    result = await render(path);
  }
  await session.store.putStage(key, { frames: result.frames, path }, session.now());
  return {
    path,
    cached: false,
    frames: result.frames,
    timeline,
    missingSegments: missing,
    measurements,
    warnings,
  };
}
