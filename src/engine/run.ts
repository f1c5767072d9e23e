// The engine's edge: applies `decide` to providers and the store until every job is settled.
import { randomUUID } from "node:crypto";
import { mkdir, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { xoroshiro128plus } from "pure-rand";
import { UserInputError } from "../errors/index.js";
import type { ClipJob, ClipProvider } from "../providers/clip.js";
import { estimateCost } from "../providers/clip.js";
import { hashFile, type Take } from "../store/index.js";
import { rateToNumber } from "../time/index.js";
import { type Action, decide, type EngineState, type Phase } from "./decide.js";
import { jobKey } from "./keys.js";
import { backoffMs, classifySubmitError, errorText, isTransient, retryAfterMs } from "./retry.js";
import type { EngineEvent, GenerateOptions, GenerateReport, JobSpec } from "./types.js";

interface JobRun {
  readonly index: number;
  readonly spec: JobSpec;
  readonly key: string;
  readonly imageHash: string;
  readonly audioHash: string;
  phase: Phase;
  busy: boolean;
  notBefore: number;
  /** Transient failures of the current step. */
  attempts: number;
  /** Submits tried this run, voided ones included: a cap so a flaky provider cannot loop forever. */
  submits: number;
  endpoint?: string;
  take?: Take;
  remoteId?: string;
  deadlineAt?: number;
  /** Cost the provider reported when the job finished. */
  reportedUsd?: number;
  outputHash?: string;
  earlier?: boolean;
  reason?: string;
}

/** An endpoint's identity in the pool, recorded on takes so a restart polls the right one. */
export function endpointIds(pool: readonly ClipProvider[]): string[] {
  return pool.map((p, i) => {
    const own = (p as ClipProvider & { endpoint?: string }).endpoint;
    if (own) return own;
    return pool.filter((q) => q.name === p.name).length > 1 ? `${p.name}#${i}` : p.name;
  });
}

function clipJob(spec: JobSpec, token: string): ClipJob {
  const {
    segmentKey: _k,
    imageHash: _i,
    audioHash: _a,
    estimatedUsd: _e,
    priority: _p,
    startFrom: _s,
    ...job
  } = spec;
  return { ...job, token };
}

/**
 * Makes one take per job on a pool of providers, exactly once per attempt: an intent row and its
 * budget reservation are committed before each submit, the remote id right after. Running it
 * again with the same jobs resumes: finished jobs are kept, remote jobs polled, intents without a
 * remote id looked up by client token or reported uncertain — never submitted twice.
 */
export async function generate(options: GenerateOptions): Promise<GenerateReport> {
  const { store, providers, jobs, signal } = options;
  if (providers.length === 0) throw new UserInputError("generate needs at least one clip provider");
  const first = providers[0]!;
  for (const p of providers)
    if (p.name !== first.name || p.model !== first.model)
      throw new UserInputError(
        `a provider pool holds one kind and model: ${first.name}/${first.model} and ${p.name}/${p.model} differ`,
      );
  const now = options.now ?? Date.now;
  const pollIntervalMs = options.pollIntervalMs ?? 2_000;
  const deadlineMs = options.deadlineMs ?? 3_600_000;
  const maxRetries = options.maxRetries ?? 6;
  const retryBaseMs = options.retryBaseMs ?? 1_000;
  const rng = xoroshiro128plus(options.seed ?? Date.now());
  const random = () => (rng.unsafeNext() >>> 0) / 2 ** 32;
  const emit = (e: EngineEvent) => {
    try {
      options.onEvent?.(e);
    } catch {
      // A listener's bug must not stop paid work.
    }
  };
  const fetchTo =
    options.fetchTo ?? ((take: Take) => join(dirname(store.media.root), "tmp", `${take.id}.partial.mp4`));

  const ids = endpointIds(providers);
  const byEndpoint = new Map(ids.map((id, i) => [id, providers[i]!]));

  // Inputs are identified by content, so a moved file keeps its takes.
  const hashes = new Map<string, Promise<string>>();
  const hashOf = (path: string, given?: string) => {
    if (given) return Promise.resolve(given);
    let h = hashes.get(path);
    if (!h) {
      h = hashFile(path);
      hashes.set(path, h);
    }
    return h;
  };

  const runs: JobRun[] = [];
  const seen = new Map<string, number>();
  /** Adds a job to the run; a later job (from `after`) that repeats one already here is dropped. */
  const addJob = async (spec: JobSpec, later: boolean): Promise<JobRun | undefined> => {
    const imageHash = await hashOf(spec.image, spec.imageHash);
    const audioHash = await hashOf(spec.audio, spec.audioHash);
    const key = jobKey({ ...spec, imageHash, audioHash, provider: first.name, model: first.model });
    const twin = seen.get(key);
    if (twin !== undefined) {
      if (later) return undefined;
      throw new UserInputError(
        `job ${runs.length} repeats job ${twin} (segment ${spec.segment}, seed ${spec.seed}): give each attempt its own seed`,
      );
    }
    const run: JobRun = {
      index: runs.length,
      spec,
      key,
      imageHash,
      audioHash,
      phase: "pending",
      busy: false,
      notBefore: 0,
      attempts: 0,
      submits: 0,
    };
    seen.set(key, run.index);
    runs.push(run);
    return run;
  };
  for (const spec of jobs) await addJob(spec, false);

  // Resume: what earlier runs left behind decides where each job starts.
  const resume = async (run: JobRun, mine: readonly Take[]) => {
    const done = mine.find((t) => t.status === "succeeded");
    const live = mine
      .filter((t) => t.status === "intent" || t.status === "submitted" || t.status === "running")
      .at(-1);
    const uncertain = mine.find((t) => t.status === "uncertain");
    if (done) {
      Object.assign(run, {
        phase: "done",
        take: done,
        outputHash: done.outputHash ?? undefined,
        earlier: true,
      });
    } else if (live) {
      run.take = live;
      run.endpoint = live.endpoint;
      run.remoteId = live.remoteId ?? undefined;
      const p = byEndpoint.get(live.endpoint);
      if (!p) {
        run.phase = "unreachable";
        run.reason = `its endpoint ${live.endpoint} is not in the provider pool`;
      } else if (live.status === "intent") {
        if (p.lookup) run.phase = "lookup";
        else {
          const reason = `the submit to ${live.endpoint} may have been made before refrain stopped, and ${p.name} cannot be asked`;
          await store.markUncertain(live.id, reason);
          Object.assign(run, { phase: "uncertain", reason });
          emit({ type: "uncertain", segment: run.spec.segment, takeId: live.id, reason });
        }
      } else {
        run.phase = "remote";
        run.deadlineAt = (live.submittedAt ?? live.createdAt) + deadlineMs;
      }
    } else if (uncertain) {
      Object.assign(run, {
        phase: "uncertain",
        take: uncertain,
        reason: uncertain.failureReason ?? "uncertain",
      });
    }
  };
  const existing = await store.listTakes({ jobKeys: runs.map((r) => r.key) });
  for (const run of runs)
    await resume(
      run,
      existing.filter((t) => t.jobKey === run.key),
    );

  /** A finished job may open others (the next segment of a continuity chain): add and resume them. */
  const expand = async (run: JobRun): Promise<void> => {
    if (!options.after || run.phase !== "done" || !run.take || !run.outputHash) return;
    const more = await options.after({
      segment: run.spec.segment,
      takeId: run.take.id,
      outputHash: run.outputHash,
      spec: run.spec,
    });
    for (const spec of more) {
      const added = await addJob(spec, true);
      if (!added) continue;
      await resume(added, await store.listTakes({ jobKeys: [added.key] }));
      await expand(added);
    }
  };
  for (const run of runs.filter((r) => r.phase === "done")) await expand(run);

  let budgetStopped = false;
  let budget: GenerateReport["budget"];
  let fatal: unknown;
  let submissions = 0;
  let wake: (() => void) | undefined;
  const kick = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };

  const retry = (run: JobRun, step: "submit" | "lookup" | "poll" | "fetch", e: unknown): boolean => {
    if (run.attempts >= maxRetries) return false;
    const delayMs = backoffMs(run.attempts, random(), retryBaseMs, 60_000, retryAfterMs(e));
    run.attempts++;
    run.notBefore = now() + delayMs;
    emit({
      type: "retry",
      segment: run.spec.segment,
      step,
      attempt: run.attempts,
      delayMs,
      reason: errorText(e),
    });
    return true;
  };

  const fail = async (
    run: JobRun,
    reason: string,
    chargeUsd: number,
    status: "failed" | "cancelled" = "failed",
  ) => {
    if (run.take)
      run.take = await store.finishTake(run.take.id, {
        status,
        finishedAt: now(),
        failureReason: reason,
        chargeUsd,
      });
    Object.assign(run, { phase: "failed", reason });
    emit({ type: "failed", segment: run.spec.segment, takeId: run.take?.id, reason });
  };

  /** The take is void (the provider never got it): back to pending for a fresh take. */
  const voidTake = async (run: JobRun, reason: string) => {
    if (run.take)
      await store.finishTake(run.take.id, {
        status: "cancelled",
        finishedAt: now(),
        failureReason: reason,
        chargeUsd: 0,
      });
    Object.assign(run, { phase: "pending", take: undefined, endpoint: undefined, remoteId: undefined });
  };

  const submit = async (run: JobRun, endpoint: string) => {
    const p = byEndpoint.get(endpoint)!;
    const { spec } = run;
    if (run.submits > maxRetries) {
      await fail(run, `gave up after ${run.submits} submits that ${endpoint} never received`, 0);
      return;
    }
    run.submits++;
    const videoSeconds = spec.frames / rateToNumber(p.constraints.fps);
    const estimatedUsd =
      spec.estimatedUsd ?? estimateCost(p.price, videoSeconds, `${spec.width}x${spec.height}`);
    const token = randomUUID();
    const intent = await store.createIntent(
      {
        id: randomUUID(),
        jobKey: run.key,
        segment: spec.segment,
        segmentKey: spec.segmentKey,
        kind: spec.kind,
        provider: p.name,
        endpoint,
        model: p.model,
        seed: spec.seed,
        prompt: spec.prompt,
        imageHash: run.imageHash,
        audioHash: run.audioHash,
        frames: spec.frames,
        videoSeconds,
        token,
        estimatedUsd,
        createdAt: now(),
        spec: { ...spec, imageHash: run.imageHash, audioHash: run.audioHash },
      },
      options.budgetUsd,
    );
    if (!intent.ok && intent.reason === "taken") {
      // Another refrain process made or is making this job: follow it there, never submit it again.
      Object.assign(run, {
        phase:
          intent.take.status === "succeeded"
            ? "done"
            : intent.take.status === "uncertain"
              ? "uncertain"
              : "unreachable",
        take: intent.take,
        endpoint: intent.take.endpoint,
        remoteId: intent.take.remoteId ?? undefined,
        outputHash: intent.take.outputHash ?? undefined,
        earlier: true,
        reason: `another refrain run holds this job (take ${intent.take.id}, ${intent.take.status})`,
      });
      await expand(run);
      return;
    }
    if (!intent.ok) {
      budgetStopped = true;
      const refused = [...(budget?.refused ?? []), spec.segment];
      budget = { committedUsd: intent.committedUsd, budgetUsd: intent.budgetUsd, refused };
      Object.assign(run, { phase: "refused", endpoint: undefined, reason: "budget exceeded" });
      emit({
        type: "budget-exceeded",
        segment: spec.segment,
        estimatedUsd,
        committedUsd: intent.committedUsd,
        budgetUsd: intent.budgetUsd,
      });
      return;
    }
    run.take = intent.take;
    let remoteId: string;
    try {
      // No signal: once sent, the answer must be recorded, or the next run cannot know.
      remoteId = (await p.submit(clipJob(spec, token))).remoteId;
    } catch (e) {
      const kind = classifySubmitError(e);
      if (kind === "retry") {
        await voidTake(run, `not accepted: ${errorText(e)}`);
        if (!retry(run, "submit", e)) await fail(run, `gave up submitting: ${errorText(e)}`, 0);
      } else if (kind === "rejected") {
        await fail(run, `rejected: ${errorText(e)}`, 0);
      } else if (p.lookup) {
        // Give the provider a moment to register the job before asking for it by token.
        run.phase = "lookup";
        run.attempts = 0;
        retry(run, "lookup", e);
      } else {
        const reason = `the submit to ${endpoint} failed in a way that may have reached it (${errorText(e)}), and ${p.name} cannot be asked`;
        await store.markUncertain(intent.take.id, reason);
        Object.assign(run, { phase: "uncertain", reason });
        emit({ type: "uncertain", segment: spec.segment, takeId: intent.take.id, reason });
      }
      return;
    }
    const at = now();
    await store.markSubmitted(intent.take.id, remoteId, at);
    submissions++;
    Object.assign(run, {
      phase: "remote",
      remoteId,
      attempts: 0,
      notBefore: at + pollIntervalMs,
      deadlineAt: at + deadlineMs,
    });
    emit({ type: "submitted", segment: spec.segment, takeId: intent.take.id, endpoint, remoteId });
  };

  const lookup = async (run: JobRun) => {
    const p = byEndpoint.get(run.endpoint!)!;
    const take = run.take!;
    let found: Awaited<ReturnType<NonNullable<ClipProvider["lookup"]>>>;
    try {
      found = await p.lookup!(take.token, signal);
    } catch (e) {
      if (signal?.aborted) return;
      if (isTransient(e) && retry(run, "lookup", e)) return;
      const reason = `could not ask ${run.endpoint} whether it got the submit: ${errorText(e)}`;
      await store.markUncertain(take.id, reason);
      Object.assign(run, { phase: "uncertain", reason });
      emit({ type: "uncertain", segment: run.spec.segment, takeId: take.id, reason });
      return;
    }
    if (found) {
      const at = now();
      await store.markSubmitted(take.id, found.remoteId, at);
      Object.assign(run, {
        phase: "remote",
        remoteId: found.remoteId,
        attempts: 0,
        notBefore: at,
        deadlineAt: take.createdAt + deadlineMs,
      });
      emit({ type: "adopted", segment: run.spec.segment, takeId: take.id, remoteId: found.remoteId });
    } else {
      // The provider's lookup is authoritative: it never got this token, so a fresh take is safe.
      await voidTake(run, "void: the provider has no job with this token");
      run.notBefore = now();
    }
  };

  const poll = async (run: JobRun) => {
    const p = byEndpoint.get(run.endpoint!)!;
    let status: Awaited<ReturnType<ClipProvider["poll"]>>;
    try {
      status = await p.poll(run.remoteId!, signal);
    } catch (e) {
      if (signal?.aborted) return;
      if (isTransient(e)) {
        if (!retry(run, "poll", e))
          Object.assign(run, { phase: "unreachable", reason: `polling kept failing: ${errorText(e)}` });
        return;
      }
      await fail(run, `the provider lost the job: ${errorText(e)}`, 0);
      return;
    }
    run.attempts = 0;
    const take = run.take!;
    switch (status.state) {
      case "queued":
      case "running":
        if (status.state === "running" && take.status === "submitted") {
          await store.markRunning(take.id);
          run.take = { ...take, status: "running" };
        }
        run.notBefore = now() + pollIntervalMs;
        emit({
          type: "progress",
          segment: run.spec.segment,
          takeId: take.id,
          state: status.state,
          progress: status.progress,
          queuePosition: status.queuePosition,
        });
        return;
      case "succeeded":
        Object.assign(run, { phase: "fetch", reportedUsd: status.costUsd, notBefore: now() });
        return;
      case "failed":
        await fail(run, status.reason ?? "the provider reported a failure", status.costUsd ?? 0);
        return;
      case "cancelled":
        await fail(run, status.reason ?? "cancelled at the provider", status.costUsd ?? 0, "cancelled");
        return;
    }
  };

  const fetch = async (run: JobRun) => {
    const p = byEndpoint.get(run.endpoint!)!;
    const take = run.take!;
    const dest = fetchTo(take);
    let hash: string;
    try {
      await mkdir(dirname(dest), { recursive: true });
      await p.fetch(run.remoteId!, dest, signal);
      hash = await store.media.put(dest, { move: true });
    } catch (e) {
      await rm(dest, { force: true });
      if (signal?.aborted) return;
      if (isTransient(e) && retry(run, "fetch", e)) return;
      // The provider ran the job; what it costs is spent even though the video is lost.
      await fail(run, `could not fetch the result: ${errorText(e)}`, run.reportedUsd ?? take.estimatedUsd);
      return;
    }
    run.take = await store.finishTake(take.id, {
      status: "succeeded",
      finishedAt: now(),
      outputHash: hash,
      chargeUsd: run.reportedUsd ?? take.estimatedUsd,
    });
    Object.assign(run, { phase: "done", outputHash: hash });
    emit({ type: "succeeded", segment: run.spec.segment, takeId: take.id, outputHash: hash });
    await expand(run);
  };

  const cancel = async (run: JobRun, reason: string) => {
    const p = byEndpoint.get(run.endpoint!)!;
    let note = "";
    try {
      await p.cancel(run.remoteId!);
    } catch (e) {
      note = ` (cancelling it failed: ${errorText(e)})`;
    }
    // A job cut off at its deadline has used the provider's time: count it as spent.
    await fail(run, `${reason}${note}`, run.take!.estimatedUsd);
  };

  const start = (a: Action) => {
    const run = runs[a.job]!;
    run.busy = true;
    let step: Promise<void>;
    switch (a.kind) {
      case "submit":
        run.endpoint = a.endpoint;
        step = submit(run, a.endpoint);
        break;
      case "lookup":
        step = lookup(run);
        break;
      case "poll":
        step = poll(run);
        break;
      case "fetch":
        step = fetch(run);
        break;
      case "cancel":
        step = cancel(run, a.reason);
        break;
    }
    step
      .catch((e: unknown) => {
        fatal ??= e;
      })
      .finally(() => {
        run.busy = false;
        kick();
      });
  };

  const endpoints = ids.map((id) => ({ id, concurrency: byEndpoint.get(id)!.concurrency }));
  const state = (): EngineState => ({
    now: now(),
    stopping: signal?.aborted === true || fatal !== undefined,
    budgetStopped,
    endpoints,
    jobs: runs.map((r) => ({
      index: r.index,
      phase: r.phase,
      busy: r.busy,
      notBefore: r.notBefore,
      endpoint: r.endpoint,
      deadlineAt: r.deadlineAt,
      priority: r.spec.priority,
    })),
  });

  signal?.addEventListener("abort", kick);
  try {
    for (;;) {
      const d = decide(state());
      for (const a of d.actions) start(a);
      if (d.finished) break;
      if (d.actions.length > 0) continue;
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        wake = resolve;
        if (d.wakeAt === undefined) return;
        const ms = Math.max(0, d.wakeAt - now());
        // A timer from an earlier wait must not cut a later one short.
        const fire = () => {
          if (wake === resolve) kick();
        };
        if (options.sleep) void options.sleep(ms).then(fire);
        else timer = setTimeout(fire, ms);
      });
      clearTimeout(timer);
    }
  } finally {
    signal?.removeEventListener("abort", kick);
  }
  if (fatal !== undefined) throw fatal;

  return {
    succeeded: runs
      .filter((r) => r.phase === "done")
      .map((r) => ({
        segment: r.spec.segment,
        takeId: r.take!.id,
        outputHash: r.outputHash!,
        earlier: r.earlier === true,
      })),
    failed: runs
      .filter((r) => r.phase === "failed")
      .map((r) => ({ segment: r.spec.segment, takeId: r.take?.id, reason: r.reason ?? "failed" })),
    uncertain: runs
      .filter((r) => r.phase === "uncertain")
      .map((r) => ({ segment: r.spec.segment, takeId: r.take!.id, reason: r.reason ?? "uncertain" })),
    inFlight: runs
      .filter((r) => r.take && ["lookup", "remote", "fetch", "unreachable"].includes(r.phase))
      .map((r) => ({
        segment: r.spec.segment,
        takeId: r.take!.id,
        endpoint: r.endpoint ?? r.take!.endpoint,
        remoteId: r.remoteId ?? null,
      })),
    notStarted: runs.filter((r) => r.phase === "pending" || r.phase === "refused").map((r) => r.spec.segment),
    budget,
    cancelled: signal?.aborted === true,
    submissions,
  };
}
