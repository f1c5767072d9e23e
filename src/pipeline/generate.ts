// The generate stage: each planned segment's audio cut from the master, one job per segment lacking a take.
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { Analysis } from "../analysis/types.js";
import {
  type ContinuitySetting,
  chainJobs,
  type EngineEvent,
  estimatePlan,
  type FinishedJob,
  type GenerateReport,
  generate,
  type JobSpec,
  lockFromStore,
  type PlanEstimate,
  pickTake,
  planChains,
  readLock,
  refreshChainStaleness,
  segmentKey,
  writeLock,
} from "../engine/index.js";
import { withTempOutput } from "../files/index.js";
import { runFfmpeg } from "../media/index.js";
import type { Plan, Segment, SegmentKind } from "../plan/types.js";
import { frameSize } from "../project/index.js";
import { type ClipProvider, clipConstraints, createClipProviders } from "../providers/index.js";
import { providerForSegment } from "../providers/routing.js";
import { hashFile, type Take } from "../store/index.js";
import { fitFrames, framesToSamples, rateToNumber, SAMPLE_RATE, samplesToSeconds } from "../time/index.js";
import type { Session } from "./session.js";
import { runJobsOnWorkers } from "./shared.js";

/** The master-audio span a segment's job carries: its frames plus handles, padded to the frame rule. */
export function jobAudioSpan(plan: Plan, segment: Segment): { start: number; length: number } {
  const start = segment.start - framesToSamples(segment.handleBefore, plan.fps);
  return { start, length: framesToSamples(segment.generateFrames, plan.fps) };
}

/** Cuts a segment's job audio out of the master at exact samples, padding with silence past the song's end. */
async function writeJobAudio(session: Session, plan: Plan, segment: Segment, dest: string): Promise<void> {
  const { start, length } = jobAudioSpan(plan, segment);
  await withTempOutput(dest, (tmp) =>
    runFfmpeg(
      session.tools,
      [
        "-i",
        session.project.songPath,
        "-af",
        `aresample=${SAMPLE_RATE},atrim=start_sample=${start}:end_sample=${start + length},asetpts=PTS-STARTPTS,apad=whole_len=${length}`,
        "-ac",
        "1",
        "-c:a",
        "pcm_s16le",
        tmp,
      ],
      { signal: session.signal, onCommand: session.onCommand },
    ),
  );
}

/** Beat times relative to the job's audio, for providers that move on the beat. */
function beatsFor(analysis: Analysis, start: number, length: number): number[] {
  return analysis.beats
    .filter((b) => b >= start && b < start + length)
    .map((b) => samplesToSeconds(b - start));
}

export interface JobsForPlan {
  jobs: JobSpec[];
  segmentKeys: string[];
}

/** One JobSpec per segment, its audio written under the work folder. */
export async function jobsForPlan(
  session: Session,
  plan: Plan,
  analysis: Analysis,
  options: { seedOffset?: number } = {},
): Promise<JobsForPlan> {
  const dir = join(session.workDir, "audio");
  await mkdir(dir, { recursive: true });
  const { config } = session.project;
  const size = frameSize(config.output.aspect, config.output.resolution);
  const imageHash = await hashFile(session.project.imagePath);
  const songHash = await hashFile(session.project.songPath);
  // A committed refrain.lock names the seed of each segment's picked take: a fresh clone of the
  // project asks for the same seeds, so the same takes come back (on a deterministic provider).
  const lock = await readLock(join(session.project.dir, "refrain.lock"));
  const lockedSeeds = new Map(
    (lock?.segments ?? []).filter((l) => l.image === imageHash).map((l) => [l.segmentKey, l.seed]),
  );
  const jobs: JobSpec[] = [];
  const segmentKeys: string[] = [];
  for (const segment of plan.segments) {
    const { start, length } = jobAudioSpan(plan, segment);
    // Named by the song's hash and the span, and written under a temp name first: a file already
    // there is this very audio, so a make with nothing to do cuts none again.
    const audio = join(dir, `segment-${segment.index}-${start}-${length}-${songHash.slice(0, 12)}.wav`);
    if (!existsSync(audio)) await writeJobAudio(session, plan, segment, audio);
    const audioHash = await hashFile(audio);
    const key = segmentKey({
      audioHash: songHash,
      startSample: start,
      endSample: start + length,
      frames: segment.generateFrames,
      fps: plan.fps,
      kind: segment.kind,
    });
    segmentKeys.push(key);
    jobs.push({
      segment: segment.index,
      segmentKey: key,
      kind: segment.kind,
      image: session.project.imagePath,
      imageHash,
      audio,
      audioHash,
      frames: segment.generateFrames,
      width: size.width,
      height: size.height,
      seed: lockedSeeds.get(key) ?? config.clip.seed + segment.index + (options.seedOffset ?? 0),
      prompt: segment.kind === "instrumental" ? config.clip.instrumental_prompt : config.clip.prompt,
      audioSeconds: length / SAMPLE_RATE,
      beatsS: beatsFor(analysis, start, length),
    });
  }
  return { jobs, segmentKeys };
}

/** The provider pool for segments of `kind` (the project may route instrumental segments elsewhere). */
export async function openProviders(session: Session, kind: SegmentKind = "vocal"): Promise<ClipProvider[]> {
  return createClipProviders(providerForSegment(session.clip, kind), {
    tools: session.tools,
    env: session.env,
    projectDir: session.project.dir,
    workDir: join(session.workDir, "provider"),
    onCommand: session.onCommand,
  });
}

export interface RunJobsOptions {
  onEvent?: (e: EngineEvent) => void;
  budgetUsd?: number;
  /** Jobs a finished job opens (continuity chains); see `GenerateOptions.after`. */
  after?: (done: FinishedJob) => Promise<readonly JobSpec[]>;
}

/** Puts reports of several pools together as one. */
function mergeReports(reports: GenerateReport[]): GenerateReport {
  return {
    succeeded: reports.flatMap((r) => r.succeeded),
    failed: reports.flatMap((r) => r.failed),
    uncertain: reports.flatMap((r) => r.uncertain),
    inFlight: reports.flatMap((r) => r.inFlight),
    notStarted: reports.flatMap((r) => r.notStarted),
    budget: reports.find((r) => r.budget)?.budget,
    cancelled: reports.some((r) => r.cancelled),
    submissions: reports.reduce((n, r) => n + r.submissions, 0),
  };
}

/**
 * Runs jobs on the provider each segment kind is routed to, the pools side by side. A job whose
 * frame count the routed provider cannot make is refitted to its frame rule (the extra is trimmed).
 */
export async function runJobs(
  session: Session,
  jobs: readonly JobSpec[],
  options: RunJobsOptions = {},
): Promise<GenerateReport> {
  // A team database: the takes go to `refrain worker`s through its queue (unless --local).
  if (session.team && !session.local) return runJobsOnWorkers(session, jobs, options);
  const kinds = [...new Set(jobs.map((j) => j.kind))];
  const pools = await Promise.all(
    kinds.map(async (kind) => ({ kind, providers: await openProviders(session, kind) })),
  );
  try {
    const reports = await Promise.all(
      pools.map(({ kind, providers }) => {
        const c = providers[0]!.constraints;
        const fit = (j: JobSpec): JobSpec => ({
          ...j,
          frames: Math.min(c.maxFrames, Math.max(c.minFrames, fitFrames(c.frameRule, j.frames))),
        });
        const mine = jobs.filter((j) => j.kind === kind).map(fit);
        const after = options.after;
        return generate({
          after: after && (async (done) => (await after(done)).map(fit)),
          store: session.store,
          providers,
          jobs: mine,
          budgetUsd: options.budgetUsd ?? session.project.config.budget,
          signal: session.signal,
          onEvent: options.onEvent,
          now: session.now,
        });
      }),
    );
    await updateLock(session);
    return mergeReports(reports);
  } finally {
    await Promise.all(pools.flatMap((p) => p.providers.map((x) => x.close?.())));
  }
}

/** Prices jobs on the providers their segment kinds are routed to: nothing is submitted. */
export async function estimateJobs(session: Session, jobs: readonly JobSpec[]): Promise<PlanEstimate> {
  let totalUsd = 0;
  let videoSeconds = 0;
  const perProvider: Record<string, number> = {};
  for (const kind of new Set(jobs.map((j) => j.kind))) {
    const providers = await openProviders(session, kind);
    try {
      const e = estimatePlan(
        jobs.filter((j) => j.kind === kind),
        providers,
      );
      totalUsd += e.totalUsd;
      videoSeconds += e.videoSeconds;
      for (const [name, usd] of Object.entries(e.perProvider))
        perProvider[name] = (perProvider[name] ?? 0) + usd;
    } finally {
      await Promise.all(providers.map((p) => p.close?.()));
    }
  }
  return { totalUsd, videoSeconds, perProvider };
}

/** The project's continuity setting, or undefined when every clip starts from the key image. */
export function continuitySetting(session: Session): ContinuitySetting | undefined {
  const c = session.project.config.continuity;
  if (!c || (c.sections !== "all" && c.sections.length === 0)) return undefined;
  return { sections: c.sections, reanchorEvery: c.reanchor_every };
}

/** Whether two takes were made from the same project inputs: key image, prompt, provider and model (not seed). */
function sameInputs(a: Take, b: Take): boolean {
  return (
    a.imageHash === b.imageHash && a.prompt === b.prompt && a.provider === b.provider && a.model === b.model
  );
}

/**
 * A segment's first finished take becomes its pick and stays so; after the project's image, prompt or
 * provider changed, the pick still shows the old inputs. Such a pick moves to the take just made from
 * the current ones, so the next render shows them. A pick among takes of the current inputs (a reroll
 * chosen by hand), or made by hand after the current take existed, is kept. Returns how many picks moved.
 */
export async function repickOutdated(session: Session, report: GenerateReport): Promise<number> {
  const { store } = session;
  const picks = new Map((await store.listPicks()).map((p) => [p.segmentKey, p]));
  let moved = 0;
  for (const done of report.succeeded) {
    const fresh = await store.getTake(done.takeId);
    const pick = fresh && picks.get(fresh.segmentKey);
    if (!fresh || !pick || pick.takeId === fresh.id) continue;
    // Picked while this take already existed: a choice made by hand, kept whatever it shows.
    if (pick.pickedAt >= fresh.createdAt) continue;
    const picked = await store.getTake(pick.takeId);
    if (picked && sameInputs(picked, fresh)) continue;
    await pickTake(store, fresh.segment, fresh.id, session.now());
    moved++;
  }
  return moved;
}

/** Runs the engine for every segment that has no finished take yet; finished ones are reported as earlier. */
export async function generateStage(
  session: Session,
  plan: Plan,
  analysis: Analysis,
  options: RunJobsOptions = {},
): Promise<GenerateReport> {
  const { jobs, segmentKeys } = await jobsForPlan(session, plan, analysis);
  const planned = clipConstraints(session.clip).fps;
  if (rateToNumber(planned) !== rateToNumber(plan.fps))
    session.log("warning: the plan's frame rate differs from the provider's; re-planning is advised");
  const setting = continuitySetting(session);
  if (!setting) {
    await session.store.markStale(segmentKeys);
    const report = await runJobs(session, jobs, options);
    if ((await repickOutdated(session, report)) > 0) await updateLock(session);
    return report;
  }
  // Continuity: a chained segment's job exists once the segment before has a picked take.
  const chains = planChains(plan.segments, setting);
  await refreshChainStaleness(session.store, chains, new Map(jobs.map((j) => [j.segment, j.segmentKey])));
  const chained = chainJobs({
    store: session.store,
    tools: session.tools,
    chains,
    jobs,
    warn: (line) => session.log(`warning: ${line}`),
    signal: session.signal,
    now: session.now,
  });
  const report = await runJobs(session, chained.first, { ...options, after: chained.after });
  // Segments whose chain stopped before them (a failed or unfinished segment) are not started.
  const reached = new Set([
    ...report.succeeded.map((r) => r.segment),
    ...report.failed.map((r) => r.segment),
    ...report.uncertain.map((r) => r.segment),
    ...report.inFlight.map((r) => r.segment),
    ...report.notStarted,
  ]);
  const waiting = plan.segments.map((s) => s.index).filter((i) => !reached.has(i));
  return { ...report, notStarted: [...report.notStarted, ...waiting] };
}

/** Rewrites refrain.lock from the store: the picked take, seed and hashes of each segment, for git. */
export async function updateLock(session: Session): Promise<void> {
  await writeLock(join(session.project.dir, "refrain.lock"), await lockFromStore(session.store));
}
