// Reading ffmpeg's freezedetect / blackdetect frame metadata and turning it into blank head and tail frames.
//
// The parsing is pure so it is tested on captured ffmpeg output; `measureTake` runs the filters.

/** One decoded frame as `metadata=mode=print` reports it. */
export interface FrameMetadata {
  readonly index: number;
  readonly ptsTime: number;
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * Parses the text of ffmpeg's `metadata=mode=print` filter:
 * `frame:12   pts:6144    pts_time:0.48` followed by `key=value` lines.
 * Frames without tags are only listed when a filter before it tagged every frame.
 */
export function parseFrameMetadata(text: string): FrameMetadata[] {
  const frames: { index: number; ptsTime: number; tags: Record<string, string> }[] = [];
  let current: (typeof frames)[number] | undefined;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line) continue;
    const head = /^frame:\s*(\d+)\s+pts:\s*(\S+)\s+pts_time:\s*(\S+)/.exec(line);
    if (head) {
      current = { index: Number(head[1]), ptsTime: Number(head[3]), tags: {} };
      frames.push(current);
      continue;
    }
    const eq = line.indexOf("=");
    if (current && eq > 0) current.tags[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return frames;
}

/** A half-open run of times [start, end) in seconds; `end` is null when the run lasts to the end of the file. */
export interface TimeRun {
  readonly start: number;
  readonly end: number | null;
}

function runsFrom(frames: readonly FrameMetadata[], startKey: string, endKey: string): TimeRun[] {
  const runs: TimeRun[] = [];
  let open: number | null = null;
  for (const f of frames) {
    // A start is only reported while no run is open, and may share its frame with that run's end.
    const start = f.tags[startKey];
    if (start !== undefined && open === null) open = Number(start);
    const end = f.tags[endKey];
    if (end !== undefined && open !== null) {
      runs.push({ start: open, end: Number(end) });
      open = null;
    }
  }
  if (open !== null) runs.push({ start: open, end: null });
  return runs;
}

/** Runs of frozen pictures (freezedetect), as reported. */
export function freezeRuns(frames: readonly FrameMetadata[]): TimeRun[] {
  return runsFrom(frames, "lavfi.freezedetect.freeze_start", "lavfi.freezedetect.freeze_end");
}

/** Runs of black pictures (blackdetect with d=0). */
export function blackRuns(frames: readonly FrameMetadata[]): TimeRun[] {
  return runsFrom(frames, "lavfi.black_start", "lavfi.black_end");
}

/**
 * Joins runs separated by less than `maxGap` seconds. An encoder refines a held picture over the
 * next frames, so freezedetect sees a long hold as several runs a frame apart.
 */
export function mergeRuns(runs: readonly TimeRun[], maxGap: number): TimeRun[] {
  const merged: TimeRun[] = [];
  for (const r of [...runs].sort((a, b) => a.start - b.start)) {
    const last = merged[merged.length - 1];
    if (last && last.end !== null && r.start - last.end < maxGap) {
      merged[merged.length - 1] = {
        start: last.start,
        end: r.end === null ? null : Math.max(last.end, r.end),
      };
    } else if (last && last.end === null) {
      // An open run already reaches the end of the file.
    } else merged.push(r);
  }
  return merged;
}

export interface HeadTail {
  readonly head: number;
  readonly tail: number;
}

/**
 * How many frames at the head and at the tail lie inside a run.
 * `frames` must list every decoded frame in order; a run must touch the first (or last) frame to count.
 * `minFrames` drops runs shorter than that (freezedetect reports one-frame "freezes" when its
 * duration is a single frame, and a run of one identical frame is no freeze at all).
 */
export function headTailFrames(
  frames: readonly FrameMetadata[],
  runs: readonly TimeRun[],
  minFrames = 1,
): HeadTail {
  if (frames.length === 0) return { head: 0, tail: 0 };
  const inRun = (t: number, r: TimeRun) => t >= r.start - 1e-6 && (r.end === null || t < r.end - 1e-6);
  const counted = runs.filter((r) => frames.filter((f) => inRun(f.ptsTime, r)).length >= minFrames);
  let head = 0;
  while (head < frames.length && counted.some((r) => inRun(frames[head]!.ptsTime, r))) head++;
  if (head === frames.length) return { head, tail: head };
  let tail = 0;
  while (tail < frames.length && counted.some((r) => inRun(frames[frames.length - 1 - tail]!.ptsTime, r)))
    tail++;
  return { head, tail };
}

/**
 * Still frames at the head and tail by mpdecimate's test: `keptTimes` are the times of the frames it
 * keeps, each differing visibly (in some 8×8 block) from the last one kept. Frames before the second
 * kept frame show the first picture; frames from the last kept one on show the last. Counted only
 * when at least two frames hold the picture, as a still run of one frame is no freeze.
 */
export function stillHeadTail(frames: readonly FrameMetadata[], keptTimes: readonly number[]): HeadTail {
  const n = frames.length;
  if (n === 0) return { head: 0, tail: 0 };
  const kept = frames.flatMap((f, i) => (keptTimes.some((t) => Math.abs(t - f.ptsTime) < 1e-6) ? [i] : []));
  const moved = kept.filter((i) => i > 0);
  if (moved.length === 0) return { head: n, tail: n };
  const head = moved[0]!;
  const tail = n - moved[moved.length - 1]!;
  return { head: head >= 2 ? head : 0, tail: tail >= 2 ? tail : 0 };
}
