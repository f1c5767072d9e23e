// Songs and images count against `budget:`, and `refrain cost` reports what they cost.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { costReport } from "../../engine/cost.js";
import { BudgetExceeded } from "../../errors/index.js";
import { openSqliteStore } from "../../store/index.js";
import { checkMediaBudget, type MediaTake, MediaTakes, mediaSpend } from "./index.js";
import { submittedTake } from "./takes.js";

function take(id: string, usd: { estimated: number; actual: number | null }): MediaTake {
  const submitted = submittedTake({
    request: id,
    provider: { name: "suno", model: "V4_5" },
    remoteId: "r",
    spec: {},
    estimatedUsd: usd.estimated,
    createdAt: 0,
  });
  return usd.actual === null
    ? { ...submitted, id }
    : { ...submitted, id, status: "succeeded", actualUsd: usd.actual };
}

describe("song and image spend", () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
  });

  it("refuses a request whose estimate would cross the budget, naming every amount", () => {
    const spend = { songsUsd: 0.4, imagesUsd: 0.2 };
    const check = (estimateUsd: number) => () =>
      checkMediaBudget({ budgetUsd: 1, engineUsd: 0.3, spend, estimateUsd, what: "a suno song request" });
    expect(check(0.1)).not.toThrow();
    expect(check(0.2)).toThrow(BudgetExceeded);
    try {
      check(0.2)();
    } catch (e) {
      const err = e as BudgetExceeded;
      expect(err.exitCode).toBe(5);
      expect(err.shortMessage).toMatch(/\$1\.10 of \$1\.00/);
      expect(err.shortMessage).toMatch(/clips \$0\.30, songs \$0\.40, images \$0\.20/);
    }
  });

  it("lets anything through without a budget, and never blocks a free request", () => {
    const spend = { songsUsd: 50, imagesUsd: 50 };
    expect(() =>
      checkMediaBudget({ budgetUsd: undefined, engineUsd: 9, spend, estimateUsd: 5, what: "x" }),
    ).not.toThrow();
    expect(() =>
      checkMediaBudget({ budgetUsd: 1, engineUsd: 9, spend, estimateUsd: 0, what: "x" }),
    ).not.toThrow();
  });

  it("counts songs, stems and images (waiting ones at their estimate) in spend and in the cost report", async () => {
    const dir = await mkdtemp(join(tmpdir(), "media-budget-"));
    dirs.push(dir);
    await new MediaTakes(dir, "songs").put(
      take("s1", { estimated: 0.05, actual: 0.05 }),
      take("s2", { estimated: 0.05, actual: null }),
    );
    await new MediaTakes(dir, "stems").put(take("t1", { estimated: 0.1, actual: 0.1 }));
    await new MediaTakes(dir, "images").put(take("i1", { estimated: 0.04, actual: 0.04 }));
    const spend = await mediaSpend(dir);
    expect(spend.songsUsd).toBeCloseTo(0.2);
    expect(spend.imagesUsd).toBeCloseTo(0.04);
    const store = openSqliteStore(dir);
    try {
      const report = await costReport(store, dir);
      expect(report.songs_usd).toBeCloseTo(0.2);
      expect(report.images_usd).toBeCloseTo(0.04);
      expect(report.spentUsd).toBe(0);
    } finally {
      await store.close();
    }
  });
});
