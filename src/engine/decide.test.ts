// The engine's pure step, tested with plain values: what to do next given where every job stands.
import { describe, expect, it } from "vitest";
import { decide, type EngineState, type JobView } from "./decide.js";

const job = (index: number, over: Partial<JobView> = {}): JobView => ({
  index,
  phase: "pending",
  busy: false,
  notBefore: 0,
  ...over,
});

const state = (jobs: JobView[], over: Partial<EngineState> = {}): EngineState => ({
  now: 100,
  stopping: false,
  budgetStopped: false,
  endpoints: [
    { id: "a", concurrency: 2 },
    { id: "b", concurrency: 1 },
  ],
  jobs,
  ...over,
});

describe("decide", () => {
  it("fills every slot of every endpoint, in job order", () => {
    const d = decide(state([0, 1, 2, 3, 4].map((i) => job(i))));
    expect(d.actions).toEqual([
      { kind: "submit", job: 0, endpoint: "a" },
      { kind: "submit", job: 1, endpoint: "a" },
      { kind: "submit", job: 2, endpoint: "b" },
    ]);
  });

  it("spreads submits to the endpoint with the most free slots", () => {
    const d = decide(
      state([job(0, { phase: "remote", endpoint: "a", notBefore: 500 }), job(1), job(2)], {
        endpoints: [
          { id: "a", concurrency: 2 },
          { id: "b", concurrency: 2 },
        ],
      }),
    );
    expect(d.actions).toEqual([
      { kind: "submit", job: 1, endpoint: "b" },
      { kind: "submit", job: 2, endpoint: "a" },
    ]);
  });

  it("counts a submit under way as holding its slot", () => {
    const d = decide(
      state([job(0, { busy: true, endpoint: "b" }), job(1), job(2), job(3)], {
        endpoints: [
          { id: "a", concurrency: 2 },
          { id: "b", concurrency: 1 },
        ],
      }),
    );
    expect(d.actions.map((a) => a.kind === "submit" && a.endpoint)).toEqual(["a", "a"]);
  });

  it("does not count a finished remote job waiting to be fetched against the slots", () => {
    const d = decide(
      state([job(0, { phase: "fetch", endpoint: "b" }), job(1)], {
        endpoints: [{ id: "b", concurrency: 1 }],
      }),
    );
    expect(d.actions).toEqual([
      { kind: "fetch", job: 0 },
      { kind: "submit", job: 1, endpoint: "b" },
    ]);
  });

  it("polls remote jobs that are due and wakes for the next one", () => {
    const d = decide(
      state([
        job(0, { phase: "remote", endpoint: "a", notBefore: 90 }),
        job(1, { phase: "remote", endpoint: "a", notBefore: 250 }),
        job(2, { phase: "remote", endpoint: "b", notBefore: 180 }),
      ]),
    );
    expect(d.actions).toEqual([{ kind: "poll", job: 0 }]);
    expect(d.wakeAt).toBe(180);
    expect(d.finished).toBe(false);
  });

  it("cancels a remote job past its deadline instead of polling it", () => {
    const d = decide(state([job(0, { phase: "remote", endpoint: "a", deadlineAt: 100, notBefore: 0 })]));
    expect(d.actions).toEqual([{ kind: "cancel", job: 0, reason: "deadline exceeded" }]);
  });

  it("wakes at a deadline that comes before the next poll", () => {
    const d = decide(state([job(0, { phase: "remote", endpoint: "a", deadlineAt: 150, notBefore: 400 })]));
    expect(d.wakeAt).toBe(150);
  });

  it("asks the provider about an intent left without a remote id", () => {
    expect(decide(state([job(0, { phase: "lookup", endpoint: "a" })])).actions).toEqual([
      { kind: "lookup", job: 0 },
    ]);
  });

  it("waits out a backoff before submitting again", () => {
    const d = decide(state([job(0, { notBefore: 30_100 })]));
    expect(d.actions).toEqual([]);
    expect(d.wakeAt).toBe(30_100);
  });

  it("starts nothing new once the budget refused a submit, but follows jobs already out", () => {
    const d = decide(
      state([job(0, { phase: "remote", endpoint: "a" }), job(1), job(2, { phase: "refused" })], {
        budgetStopped: true,
      }),
    );
    expect(d.actions).toEqual([{ kind: "poll", job: 0 }]);
  });

  it("when stopping, does nothing new and finishes once steps under way are done", () => {
    const jobs = [job(0, { phase: "remote", endpoint: "a" }), job(1)];
    expect(decide(state([...jobs, job(2, { busy: true })], { stopping: true }))).toEqual({
      actions: [],
      wakeAt: undefined,
      finished: false,
    });
    expect(decide(state(jobs, { stopping: true })).finished).toBe(true);
  });

  it("finishes when every job is settled", () => {
    const phases = ["done", "failed", "uncertain", "refused", "unreachable"] as const;
    const d = decide(state(phases.map((phase, i) => job(i, { phase }))));
    expect(d).toEqual({ actions: [], wakeAt: undefined, finished: true });
  });

  it("finishes rather than waiting forever when a pool has no slots", () => {
    const d = decide(state([job(0)], { endpoints: [{ id: "a", concurrency: 0 }] }));
    expect(d.finished).toBe(true);
  });
});
