// A video rendered with segments that have no take: the one line saying so, and the exit code a script sees.
//
// `refrain make && upload` must not publish black holes: the video is still written (what was paid
// for is not lost and the user can look at it), then the command fails unless --allow-gaps was given.
import { ExitCode, RefrainError } from "../errors/index.js";
import type { Take } from "../store/index.js";

/** What is known of a segment left without a take: whether a provider failed it (or left it uncertain). */
export interface Gap {
  segment: number;
  /** A take of this segment failed or is uncertain: the provider is why, not the user. */
  providerFailed: boolean;
}

/** Raised after the video is written when segments show black; exit 4 when a provider failed them, else 2. */
export class SegmentsWithoutTake extends RefrainError {
  override readonly exitCode: number;
  readonly segments: readonly number[];
  constructor(gaps: readonly Gap[]) {
    super(gapLine(gaps));
    this.segments = gaps.map((g) => g.segment);
    this.exitCode = gapExitCode(gaps);
  }
}

/** The segments without a take, each with whether one of its current (not stale) takes failed or is uncertain. */
export function gapsFrom(missing: readonly number[], takes: readonly Take[]): Gap[] {
  return missing.map((segment) => ({
    segment,
    providerFailed: takes.some(
      (t) => t.segment === segment && !t.stale && (t.status === "failed" || t.status === "uncertain"),
    ),
  }));
}

/**
 * A provider failure (4) when any gap is one a provider left (run again to retry it); otherwise the
 * gaps are the user's to fill (never generated, or a take not picked): bad input (2).
 */
export function gapExitCode(gaps: readonly Gap[]): number {
  return gaps.some((g) => g.providerFailed) ? ExitCode.provider : ExitCode.badInput;
}

/** One line: how many segments, which, that they show black, and what to do. */
export function gapLine(gaps: readonly Gap[]): string {
  const list = gaps.map((g) => g.segment);
  const first = list[0];
  const what =
    list.length === 1
      ? `segment ${first} has no take: the video shows it black`
      : `${list.length} segments have no take (${list.join(", ")}): the video shows them black`;
  const retry = gaps.some((g) => g.providerFailed)
    ? `run \`refrain make\` again to retry ${list.length === 1 ? "it" : "them"}`
    : `run \`refrain make\` to make ${list.length === 1 ? "it" : "them"}`;
  return `${what} — ${retry}, or see \`refrain takes ${first}\` (--allow-gaps accepts the gaps)`;
}

/** The warning printed instead when the user passed --allow-gaps. */
export function gapWarning(missing: readonly number[]): string {
  return `warning: segments ${missing.join(", ")} have no take (black in the video)`;
}
