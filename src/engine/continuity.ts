// Continuity mode: chains of segments where each starts from the last frame of the previous segment's picked take.
import { randomUUID } from "node:crypto";
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { checkFace } from "../face/index.js";
import { withTempOutput } from "../files/index.js";
import { runFfmpeg, type Tools } from "../media/index.js";
import type { SegmentKind } from "../plan/types.js";
import { type CacheKey, hashKey, type Store, type Take } from "../store/index.js";
import type { FinishedJob, JobSpec } from "./types.js";

/** Which sections run in continuity mode. Off (every clip from the key image) when `sections` is empty. */
export interface ContinuitySetting {
  /** Section names ("verse" matches "Verse 2"), or "all" for every segment. */
  readonly sections: "all" | readonly string[];
  /** A chain starts afresh from the key image every this many segments, so drift cannot build up. */
  readonly reanchorEvery: number;
}

/** What chain planning reads of a planned segment. */
export interface ChainSegment {
  readonly index: number;
  readonly kind: SegmentKind;
  readonly section?: string;
}

/** "Verse 2" → "verse": a setting names a kind of section, lyrics number them. */
function baseName(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[\s\-_]*\d+$/, "");
}

function inContinuity(segment: ChainSegment, setting: ContinuitySetting): boolean {
  if (setting.sections === "all") return true;
  if (segment.section === undefined) return false;
  const name = segment.section.trim().toLowerCase();
  return setting.sections.some((s) => {
    const wanted = s.trim().toLowerCase();
    return wanted === name || wanted === baseName(name);
  });
}

/**
 * The chains of a plan: each an ordered list of segment indices, the first starting from the key
 * image and each later one from the last frame of the one before. Every segment is in exactly one
 * chain; a segment outside continuity mode is a chain of its own. A chain is a maximal run of
 * consecutive continuity segments, cut where the section changes, where the segment kind changes
 * (kinds may be routed to different providers, which cannot share a chain), and every
 * `reanchorEvery` segments.
 */
export function planChains(
  segments: readonly ChainSegment[],
  setting: ContinuitySetting | undefined,
): number[][] {
  const chains: number[][] = [];
  let current: number[] | undefined;
  let prev: ChainSegment | undefined;
  const every = Math.max(1, Math.floor(setting?.reanchorEvery ?? 1));
  for (const s of segments) {
    const chained = setting !== undefined && inContinuity(s, setting);
    const joins =
      chained &&
      current !== undefined &&
      prev !== undefined &&
      prev.index + 1 === s.index &&
      prev.section === s.section &&
      prev.kind === s.kind &&
      current.length < every;
    if (joins) current!.push(s.index);
    else {
      current = [s.index];
      chains.push(current);
    }
    if (!chained) current = undefined;
    prev = s;
  }
  return chains;
}

/**
 * A chained segment's identity: its plain key plus the frame it starts from. A new start frame
 * (the segment before was re-picked) makes a new segment key, so takes from the old frame stop
 * matching the plan and are marked stale — kept, never deleted.
 */
export function chainedSegmentKey(baseKey: string, frameHash: string): string {
  return hashKey({
    stage: "chained-segment",
    version: 1,
    inputs: { segment: baseKey, start: frameHash },
    params: {},
  });
}

/** Bumped when extracting the last frame or checking it changes. */
const LAST_FRAME_VERSION = 1;

export interface LastFrame {
  /** sha256 of the PNG in the media folder. */
  readonly frameHash: string;
  /** Whether a face was found in it; false also when the check could not run (see `note`). */
  readonly face: boolean;
  readonly note?: string;
}

/** Whether an image shows a face; the default runs the face detector of src/face. */
export type FaceTest = (tools: Tools, image: string, signal?: AbortSignal) => Promise<boolean>;

const detectorFace: FaceTest = async (tools, image, signal) =>
  (await checkFace(tools, image, signal)).count > 0;

/**
 * The last frame of a finished take as a PNG in the media folder, and whether it shows a face.
 * Cached per take video, so a resumed run derives the very same start image (and job identity).
 */
export async function lastFrame(
  tools: Tools,
  store: Store,
  outputHash: string,
  options: { hasFace?: FaceTest; signal?: AbortSignal; now?: () => number } = {},
): Promise<LastFrame> {
  const key: CacheKey = {
    stage: "last-frame",
    version: LAST_FRAME_VERSION,
    inputs: { video: outputHash },
    params: { format: "png" },
  };
  const keyHash = hashKey(key);
  const found = await store.getStage(key.stage, keyHash);
  if (found && store.media.has((found.result as LastFrame).frameHash)) return found.result as LastFrame;
  const tmpDir = join(store.media.root, "..", "tmp");
  await mkdir(tmpDir, { recursive: true });
  // Its own name: two takes finishing together may ask for the same pick's frame at once.
  const png = join(tmpDir, `last-frame-${outputHash}-${randomUUID()}.png`);
  try {
    // -sseof seeks near the end; -update 1 keeps overwriting one image, so the last decoded frame stays.
    await withTempOutput(png, (tmp) =>
      runFfmpeg(
        tools,
        [
          "-sseof",
          "-1",
          "-i",
          store.media.path(outputHash),
          "-map",
          "0:v:0",
          "-map_metadata",
          "-1",
          "-update",
          "1",
          "-f",
          "image2",
          "-c:v",
          "png",
          tmp,
        ],
        { signal: options.signal },
      ),
    );
    const frameHash = await store.media.put(png, { move: true, ext: "png" });
    let face = false;
    let note: string | undefined;
    try {
      face = await (options.hasFace ?? detectorFace)(tools, store.media.path(frameHash), options.signal);
    } catch (e) {
      if (options.signal?.aborted) throw e;
      note = `the face check could not run (${(e as Error).message.split("\n")[0]})`;
    }
    const result: LastFrame = note === undefined ? { frameHash, face } : { frameHash, face, note };
    await store.putStage(key, result, (options.now ?? Date.now)());
    return result;
  } finally {
    await rm(png, { force: true });
  }
}

export interface ChainJobsOptions {
  readonly store: Store;
  readonly tools: Tools;
  /** From `planChains`. */
  readonly chains: readonly (readonly number[])[];
  /** Every segment's job as it starts from the key image. */
  readonly jobs: readonly JobSpec[];
  readonly hasFace?: FaceTest;
  readonly warn?: (line: string) => void;
  readonly signal?: AbortSignal;
  readonly now?: () => number;
}

export interface ChainedJobs {
  /** The jobs to start with: each chain's first segment (every segment outside continuity mode). */
  readonly first: JobSpec[];
  /** Pass to `generate` as `after`: the next segment's job once a segment has a picked take. */
  readonly after: (done: FinishedJob) => Promise<JobSpec[]>;
}

/**
 * Continuity scheduling for `generate`: chains start together (each chain's first job, ranked by
 * the chain's length so the longest starts first), and a segment's job is made only when the
 * segment before it has a picked take — from that take's last frame, or from the key image with a
 * warning when the frame shows no face.
 */
export function chainJobs(o: ChainJobsOptions): ChainedJobs {
  const bySegment = new Map(o.jobs.map((j) => [j.segment, j]));
  const next = new Map<number, { segment: number; left: number }>();
  const first: JobSpec[] = [];
  for (const chain of o.chains) {
    chain.forEach((s, i) => {
      if (i + 1 < chain.length) next.set(s, { segment: chain[i + 1]!, left: chain.length - i - 1 });
    });
    const job = bySegment.get(chain[0]!);
    if (job) first.push({ ...job, priority: chain.length });
  }
  const warned = new Set<string>();
  const after = async (done: FinishedJob): Promise<JobSpec[]> => {
    const link = next.get(done.segment);
    const base = link && bySegment.get(link.segment);
    if (!link || !base) return [];
    // The segment's pick (not necessarily this take) is what the next segment continues from.
    const pick = (await o.store.listPicks()).find((p) => p.segmentKey === done.spec.segmentKey);
    const from: Take | undefined = pick ? await o.store.getTake(pick.takeId) : undefined;
    if (from?.status !== "succeeded" || !from.outputHash) return [];
    const frame = await lastFrame(o.tools, o.store, from.outputHash, {
      hasFace: o.hasFace,
      signal: o.signal,
      now: o.now,
    });
    const priority = link.left;
    if (!frame.face) {
      const line = `segment ${link.segment}: the last frame of segment ${done.segment}'s take ${from.id} ${frame.note ?? "shows no face"}; it starts from the key image instead`;
      if (!warned.has(line)) o.warn?.(line);
      warned.add(line);
      return [{ ...base, priority }];
    }
    return [
      {
        ...base,
        image: o.store.media.path(frame.frameHash),
        imageHash: frame.frameHash,
        segmentKey: chainedSegmentKey(base.segmentKey, frame.frameHash),
        priority,
        startFrom: { segment: done.segment, takeId: from.id, frameHash: frame.frameHash },
      },
    ];
  };
  return { first, after };
}

/**
 * Segment keys still current for a plan's chained segments: those of stored takes that were made
 * from a frame of the segment before, under today's plain key of their segment. Pass them to
 * `markStale` with the plan's plain keys, then call `markBrokenChainsStale`.
 */
export function currentChainedKeys(
  takes: readonly Take[],
  chains: readonly (readonly number[])[],
  baseKeys: ReadonlyMap<number, string>,
): string[] {
  const previous = new Map<number, number>();
  for (const chain of chains) for (let i = 1; i < chain.length; i++) previous.set(chain[i]!, chain[i - 1]!);
  const keys = new Set<string>();
  for (const t of takes) {
    const from = (t.spec as JobSpec | null)?.startFrom;
    const base = baseKeys.get(t.segment);
    if (!from || base === undefined || previous.get(t.segment) !== from.segment) continue;
    if (chainedSegmentKey(base, from.frameHash) === t.segmentKey) keys.add(t.segmentKey);
  }
  return [...keys];
}

/**
 * Before a run in continuity mode: a take is fresh when its segment is in the plan (plain key) or
 * it was made from the last frame of its chain predecessor's current pick; every other take is
 * stale. `baseKeys` holds every planned segment's plain key by index. Returns the stale count.
 */
export async function refreshChainStaleness(
  store: Store,
  chains: readonly (readonly number[])[],
  baseKeys: ReadonlyMap<number, string>,
): Promise<number> {
  const chained = currentChainedKeys(await store.listTakes(), chains, baseKeys);
  await store.markStale([...baseKeys.values(), ...chained]);
  await markBrokenChainsStale(store);
  return (await store.listTakes()).filter((t) => t.stale).length;
}

/**
 * Marks stale every take made from the last frame of a take that is no longer its segment's
 * fresh pick (re-picked, re-rolled and picked, or itself stale), down the chain. Nothing is
 * deleted. Returns how many takes it newly marked.
 */
export async function markBrokenChainsStale(store: Store): Promise<number> {
  const takes = await store.listTakes();
  const byId = new Map(takes.map((t) => [t.id, t]));
  const stale = new Set(takes.filter((t) => t.stale).map((t) => t.id));
  const broken = new Set<string>();
  // Segment order: a predecessor is settled before the takes made from it.
  for (const t of [...takes].sort((a, b) => a.segment - b.segment)) {
    const from = (t.spec as JobSpec | null)?.startFrom;
    if (!from || stale.has(t.id)) continue;
    const pred = byId.get(from.takeId);
    if (!pred?.picked || stale.has(pred.id) || pred.status !== "succeeded") {
      stale.add(t.id);
      broken.add(t.segmentKey);
    }
  }
  if (broken.size === 0) return 0;
  const fresh = new Set(takes.filter((t) => !t.stale && !broken.has(t.segmentKey)).map((t) => t.segmentKey));
  await store.markStale([...fresh]);
  return takes.filter((t) => !t.stale && broken.has(t.segmentKey)).length;
}
