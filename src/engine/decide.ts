// The engine's pure step: from where every job stands, what to do next and when to look again.

/**
 * Where a job stands in this run.
 * - pending: no live take; a submit makes one.
 * - lookup: a take whose submit may have reached the provider; ask it by client token.
 * - remote: the provider holds the job; poll it.
 * - fetch: the provider finished; bring the video home.
 * - done / failed / uncertain / refused (budget) / unreachable (its endpoint is not in the pool,
 *   or polling kept failing): nothing more this run.
 */
export type Phase =
  | "pending"
  | "lookup"
  | "remote"
  | "fetch"
  | "done"
  | "failed"
  | "uncertain"
  | "refused"
  | "unreachable";

export interface JobView {
  readonly index: number;
  readonly phase: Phase;
  /** An action for this job is under way. */
  readonly busy: boolean;
  /** Not before this time (poll interval, retry backoff). */
  readonly notBefore: number;
  /** The endpoint holding its live take. */
  readonly endpoint?: string;
  /** When a remote job is given up on and cancelled. */
  readonly deadlineAt?: number;
  /** Higher is submitted first when slots are scarce (default 0; ties keep job order). */
  readonly priority?: number;
}

export interface EndpointView {
  readonly id: string;
  readonly concurrency: number;
}

export interface EngineState {
  readonly now: number;
  /** The user stopped the run: no new submits, no lookups; wait for steps under way, then end. */
  readonly stopping: boolean;
  /** The budget refused a submit: start nothing new. */
  readonly budgetStopped: boolean;
  readonly endpoints: readonly EndpointView[];
  readonly jobs: readonly JobView[];
}

export type Action =
  | { readonly kind: "submit"; readonly job: number; readonly endpoint: string }
  | { readonly kind: "lookup"; readonly job: number }
  | { readonly kind: "poll"; readonly job: number }
  | { readonly kind: "fetch"; readonly job: number }
  | { readonly kind: "cancel"; readonly job: number; readonly reason: string };

export interface Decision {
  readonly actions: readonly Action[];
  /** The earliest time something becomes due; undefined when only running steps can change things. */
  readonly wakeAt?: number;
  /** Nothing is under way and nothing more will be done this run. */
  readonly finished: boolean;
}

/** Phases that hold a slot of their endpoint: the provider is (or may be) working on them. */
const HOLDS_SLOT: ReadonlySet<Phase> = new Set(["lookup", "remote"]);
const FINAL: ReadonlySet<Phase> = new Set(["done", "failed", "uncertain", "refused", "unreachable"]);

export function decide(state: EngineState): Decision {
  const actions: Action[] = [];
  let wakeAt: number | undefined;
  const later = (t: number) => {
    wakeAt = wakeAt === undefined ? t : Math.min(wakeAt, t);
  };

  const used = new Map<string, number>(state.endpoints.map((e) => [e.id, 0]));
  for (const j of state.jobs) {
    // A submit under way holds the slot it was given.
    if (j.endpoint !== undefined && (HOLDS_SLOT.has(j.phase) || (j.busy && j.phase === "pending")))
      used.set(j.endpoint, (used.get(j.endpoint) ?? 0) + 1);
  }

  let busy = false;
  const pending: JobView[] = [];
  for (const j of state.jobs) {
    if (j.busy) {
      busy = true;
      continue;
    }
    if (FINAL.has(j.phase)) continue;
    if (state.stopping) continue;
    if (j.phase === "remote" && j.deadlineAt !== undefined && state.now >= j.deadlineAt) {
      actions.push({ kind: "cancel", job: j.index, reason: "deadline exceeded" });
      continue;
    }
    if (j.notBefore > state.now) {
      if (j.phase !== "pending" || !state.budgetStopped) later(j.notBefore);
      if (j.phase === "remote" && j.deadlineAt !== undefined) later(j.deadlineAt);
      continue;
    }
    switch (j.phase) {
      case "lookup":
        actions.push({ kind: "lookup", job: j.index });
        break;
      case "remote":
        actions.push({ kind: "poll", job: j.index });
        break;
      case "fetch":
        actions.push({ kind: "fetch", job: j.index });
        break;
      case "pending":
        if (!state.budgetStopped) pending.push(j);
        break;
    }
  }

  // Fill free slots by priority, then job order, each on the endpoint with the most room (pool
  // order breaks ties). A long continuity chain goes first: its segments can only run one by one.
  pending.sort((a, b) => (b.priority ?? 0) - (a.priority ?? 0) || a.index - b.index);
  for (const j of pending) {
    let best: EndpointView | undefined;
    let bestFree = 0;
    for (const e of state.endpoints) {
      const free = e.concurrency - (used.get(e.id) ?? 0);
      if (free > bestFree) {
        best = e;
        bestFree = free;
      }
    }
    if (!best) break;
    used.set(best.id, (used.get(best.id) ?? 0) + 1);
    actions.push({ kind: "submit", job: j.index, endpoint: best.id });
  }

  const waiting =
    !state.stopping &&
    state.jobs.some((j) => !j.busy && !FINAL.has(j.phase) && !(j.phase === "pending" && state.budgetStopped));
  const finished = actions.length === 0 && !busy && (!waiting || wakeAt === undefined);
  return { actions, wakeAt, finished };
}
