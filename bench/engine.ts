// Engine benchmark: makespan against the ideal schedule, overhead per job, and ≥ 200 SIGKILL crash/resume cycles.
//
// Run: npx tsx bench/engine.ts [--kills 200] [--jobs 40]
// Time is real; provider latencies are scaled (1 minute of GPU work = 333 ms) so the run is short.
import { closeSync, fsyncSync, openSync, writeSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { xoroshiro128plus } from "pure-rand";
import { buildCrashChild, crashTrial } from "../src/engine/crash-harness.js";
import { generate } from "../src/engine/index.js";
import { fakeJobs, fakeProvider } from "../src/engine/testing.js";
import { openSqliteStore } from "../src/store/index.js";

const args = process.argv.slice(2);
const arg = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const KILLS = arg("kills", 200);
const JOBS = arg("jobs", 40);

const rng = xoroshiro128plus(424242);
const random = () => (rng.unsafeNext() >>> 0) / 2 ** 32;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Log-normal latency around `medianMs` (GPU jobs have a long right tail). */
function lognormal(medianMs: number, sigma: number): number {
  const u = Math.max(1e-12, random());
  const v = random();
  const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  return medianMs * Math.exp(sigma * z);
}

/** Makespan of a zero-overhead engine that submits in job order the instant a slot frees. */
function listSchedule(latencies: readonly number[], slots: number): number {
  const free = Array.from({ length: slots }, () => 0);
  for (const l of latencies) {
    free.sort((a, b) => a - b);
    free[0]! += l;
  }
  return Math.max(...free);
}

/** A naive script: submit a batch per slot, wait for the whole batch, repeat. */
function batches(latencies: readonly number[], slots: number): number {
  let total = 0;
  for (let i = 0; i < latencies.length; i += slots) total += Math.max(...latencies.slice(i, i + slots));
  return total;
}

async function withProject<T>(base: string, run: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(base, "refrain-bench-"));
  try {
    return await run(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function fsyncMs(base: string): number {
  const path = join(base, `.fsync-probe-${process.pid}`);
  const fd = openSync(path, "w");
  const t = performance.now();
  for (let i = 0; i < 20; i++) {
    writeSync(fd, "x");
    fsyncSync(fd);
  }
  const ms = (performance.now() - t) / 20;
  closeSync(fd);
  void rm(path, { force: true });
  return ms;
}

async function makespan(): Promise<void> {
  // Two endpoints × 2 slots = 4 slots; median 3 min a job (1 s here), σ = 0.4.
  const latencies = Array.from({ length: JOBS }, () => lognormal(1_000, 0.4));
  const pollIntervalMs = 10; // 1.8 s at this scale
  const endpoints = ["gpu-a", "gpu-b"].map((endpoint) =>
    fakeProvider({
      now: Date.now,
      sleep,
      endpoint,
      concurrency: 2,
      callMs: 2,
      latencyMs: (job) => latencies[job.segment]!,
    }),
  );
  const wall = await withProject(tmpdir(), async (dir) => {
    const store = openSqliteStore(dir);
    const t = performance.now();
    const report = await generate({
      store,
      providers: endpoints,
      jobs: fakeJobs(JOBS),
      pollIntervalMs,
      seed: 1,
    });
    const ms = performance.now() - t;
    if (report.succeeded.length !== JOBS) throw new Error("makespan run did not finish every job");
    await store.close();
    return ms;
  });
  const ideal = listSchedule(latencies, 4);
  const bound = Math.max(latencies.reduce((a, b) => a + b, 0) / 4, Math.max(...latencies));
  const naive = batches(latencies, 4);
  console.log(
    `## Makespan (${JOBS} jobs, 4 slots on 2 endpoints, log-normal latency median 1 s σ 0.4, poll ${pollIntervalMs} ms)`,
  );
  console.log(`- engine: ${wall.toFixed(0)} ms`);
  console.log(
    `- ideal (zero-overhead list schedule, same order): ${ideal.toFixed(0)} ms → ratio ${(wall / ideal).toFixed(3)}`,
  );
  console.log(`- lower bound max(Σ/4, max): ${bound.toFixed(0)} ms → ratio ${(wall / bound).toFixed(3)}`);
  console.log(
    `- naive batches of 4: ${naive.toFixed(0)} ms → engine is ${(naive / wall).toFixed(2)}× faster`,
  );
  console.log(`- overhead above ideal per job: ${((wall - ideal) / JOBS).toFixed(1)} ms`);
}

async function overhead(base: string, label: string): Promise<void> {
  const n = JOBS;
  const provider = fakeProvider({ now: Date.now, concurrency: 1, latencyMs: 0 });
  const ms = await withProject(base, async (dir) => {
    const store = openSqliteStore(dir);
    // Warm up (schema, JIT) on one job, then time the rest.
    await generate({
      store,
      providers: [provider],
      jobs: fakeJobs(1, { segmentKey: "warm", seed: -1 }),
      pollIntervalMs: 0,
    });
    const t = performance.now();
    const report = await generate({ store, providers: [provider], jobs: fakeJobs(n), pollIntervalMs: 0 });
    const elapsed = performance.now() - t;
    if (report.succeeded.length !== n) throw new Error("overhead run did not finish every job");
    await store.close();
    return elapsed;
  });
  console.log(
    `- ${label}: ${(ms / n).toFixed(1)} ms per job (fsync on this filesystem: ${fsyncMs(base).toFixed(2)} ms)`,
  );
}

async function crashes(): Promise<void> {
  const t = performance.now();
  const trial = await crashTrial({
    child: await buildCrashChild(),
    kills: KILLS,
    jobs: 12,
    maxDelayMs: 120,
    random,
  });
  const s = ((performance.now() - t) / 1000).toFixed(0);
  console.log(`## Crash/resume (${KILLS} SIGKILLs at random instants, 12 jobs a round, ${s} s)`);
  console.log(
    `- rounds ${trial.rounds}, runs ${trial.runs}, kills ${trial.kills}; submissions ${trial.submissions} = takes submitted ${trial.takesSubmitted}`,
  );
  console.log(
    `- duplicates ${trial.duplicates}, orphan remote jobs ${trial.orphans}, lost files ${trial.lostFiles}, incomplete segments ${trial.incomplete}`,
  );
  console.log(
    `- integrity_check: ${trial.integrity.every((r) => r === "ok") ? "ok in every round" : trial.integrity.join(", ")}`,
  );
  if (
    trial.duplicates ||
    trial.orphans ||
    trial.lostFiles ||
    trial.incomplete ||
    trial.submissions !== trial.takesSubmitted
  )
    process.exitCode = 1;
}

console.log(`# engine bench — ${new Date().toISOString()}, node ${process.version}`);
await makespan();
console.log(
  `## Engine overhead per job (1 slot, provider takes 0 ms, ${JOBS} jobs: intent, submit, poll, fetch, store)`,
);
await overhead(tmpdir(), `project on ${tmpdir()} (disk)`);
await overhead("/dev/shm", "project on /dev/shm (tmpfs: no fsync cost)");
if (KILLS > 0) await crashes();
