// Segments left without a take: the exit code a script sees and the one line that names them.
import { describe, expect, test } from "vitest";
import { ExitCode } from "../errors/index.js";
import type { Take, TakeStatus } from "../store/index.js";
import { gapExitCode, gapLine, gapsFrom, SegmentsWithoutTake } from "./gaps.js";

/** Only what the decision reads of a take. */
const take = (segment: number, status: TakeStatus, stale = false) => ({ segment, status, stale }) as Take;

describe("why a segment has no take", () => {
  test("a failed or uncertain take of the segment means a provider left the gap", () => {
    const gaps = gapsFrom(
      [1, 2, 3],
      [take(1, "failed"), take(2, "uncertain"), take(3, "cancelled"), take(0, "failed")],
    );
    expect(gaps).toEqual([
      { segment: 1, providerFailed: true },
      { segment: 2, providerFailed: true },
      { segment: 3, providerFailed: false },
    ]);
  });

  test("a failure of a stale take (a segment of an older plan) does not count", () => {
    expect(gapsFrom([4], [take(4, "failed", true)])).toEqual([{ segment: 4, providerFailed: false }]);
  });
});

describe("the exit code", () => {
  test("a provider failure when any gap is one a provider left", () => {
    expect(
      gapExitCode([
        { segment: 1, providerFailed: false },
        { segment: 2, providerFailed: true },
      ]),
    ).toBe(ExitCode.provider);
  });

  test("bad input when no take was made or none picked", () => {
    expect(gapExitCode([{ segment: 1, providerFailed: false }])).toBe(ExitCode.badInput);
  });

  test("the error carries it, so the CLI exits with it", () => {
    const e = new SegmentsWithoutTake([{ segment: 7, providerFailed: true }]);
    expect(e.exitCode).toBe(ExitCode.provider);
    expect(e.segments).toEqual([7]);
    expect(e.shortMessage).toBe(gapLine([{ segment: 7, providerFailed: true }]));
  });
});

describe("the line", () => {
  test("names how many segments and which, that they show black, and how to retry", () => {
    const line = gapLine([4, 7, 9].map((segment) => ({ segment, providerFailed: true })));
    expect(line).toMatch(/^3 segments have no take \(4, 7, 9\): the video shows them black — /);
    expect(line).toMatch(/run `refrain make` again to retry them, or see `refrain takes 4`/);
    expect(line).toMatch(/--allow-gaps/);
    expect(line).not.toMatch(/\n/);
  });

  test("says one segment in the singular", () => {
    expect(gapLine([{ segment: 2, providerFailed: true }])).toMatch(
      /^segment 2 has no take: the video shows it black — run `refrain make` again to retry it/,
    );
  });

  test("asks to make, not retry, what no provider failed", () => {
    expect(gapLine([{ segment: 5, providerFailed: false }])).toMatch(/run `refrain make` to make it,/);
  });
});
