// Measures the ComfyUI provider's own overhead per job and slot utilisation over a pool of fake servers.
//
// Run: npx tsx bench/comfyui.ts [--jobs 40] [--servers 3] [--delay-ms 500] [--poll-ms 20]
// A 3-minute song's worth of jobs (40 segments of ~4.5 s = 153 frames each, InfiniteTalk wrapper
// workflow) goes through a pool of fake ComfyUI servers with a fixed sampler delay. A minimal
// scheduler (one loop per server slot: submit → poll every --poll-ms → fetch) drives them, so the
// numbers are the provider's and not the engine's.
//   overhead per job = wall time submit→fetched − the fake's own execution time for that prompt
//                      (its delay plus the ffmpeg render), i.e. upload, queueing, noticing the end, download;
//   utilisation      = Σ execution time ÷ (servers × makespan).
// Baseline, same run: the same provider with the WebSocket off (polling /history + /queue only).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { type FakeComfy, startFakeComfy } from "../fakes/comfyui/server.js";
import type { ClipJob } from "../src/providers/clip.js";
import { type ComfyProvider, createComfyPool } from "../src/providers/comfyui/index.js";
import { makeTestJob } from "../src/providers/suite/clip-provider.case.js";

const { values } = parseArgs({
  options: {
    jobs: { type: "string", default: "40" },
    servers: { type: "string", default: "3" },
    "delay-ms": { type: "string", default: "500" },
    "poll-ms": { type: "string", default: "20" },
  },
});
const JOBS = Number(values.jobs);
const SERVERS = Number(values.servers);
const DELAY = Number(values["delay-ms"]);
const POLL = Number(values["poll-ms"]);
const FRAMES = 153; // 4.5 s at 25 fps raised to 81 + 72k

interface Result {
  mode: string;
  makespanS: number;
  /** Jobs after each server's first. */
  overheadMs: { mean: number; p50: number; p95: number; max: number };
  /** Each server's first job: server check, socket, key-image upload. */
  warmupMs: number;
  utilisation: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

async function runMode(mode: string, websocket: boolean, dir: string, images: string): Promise<Result> {
  const fakes: FakeComfy[] = [];
  for (let i = 0; i < SERVERS; i++) fakes.push(await startFakeComfy({ delayMs: DELAY, steps: 8 }));
  const pool: ComfyProvider[] = await createComfyPool(
    fakes.map((f) => f.url),
    { workflow: "infinitetalk-wrapper", websocket },
  );
  const jobs: ClipJob[] = [];
  for (let i = 0; i < JOBS; i++) {
    jobs.push(
      await makeTestJob(join(dir, mode), {
        token: `${mode}-${i}`,
        segment: i,
        frames: FRAMES,
        image: images,
        width: 256,
        height: 144,
        kind: i % 5 === 4 ? "instrumental" : "vocal",
      }),
    );
  }
  const walls = new Map<string, number>();
  // Each server's first job also checks the server (/system_stats, /object_info), opens the socket
  // and uploads the key image: reported apart as warm-up.
  const firsts = new Set<string>();
  const queue = [...jobs];
  const t0 = performance.now();
  await Promise.all(
    pool.map(async (provider) => {
      let first = true;
      for (let job = queue.shift(); job; job = queue.shift()) {
        if (first) firsts.add(job.token);
        first = false;
        const start = performance.now();
        const { remoteId } = await provider.submit(job);
        for (;;) {
          const s = await provider.poll(remoteId);
          if (s.state === "succeeded") break;
          if (s.state === "failed" || s.state === "cancelled")
            throw new Error(`${remoteId} ${s.state}: ${s.reason}`);
          await sleep(POLL);
        }
        await provider.fetch(remoteId, join(dir, mode, `${job.token}.mp4`));
        walls.set(remoteId, performance.now() - start);
      }
    }),
  );
  const makespan = performance.now() - t0;
  const executions = fakes.flatMap((f) => f.stats.executions);
  const busy = executions.reduce((sum, e) => sum + (e.endedAt - e.startedAt), 0);
  const overheads = executions
    .filter((e) => !firsts.has(e.promptId))
    .map((e) => walls.get(e.promptId)! - (e.endedAt - e.startedAt))
    .sort((a, b) => a - b);
  const warmup = executions
    .filter((e) => firsts.has(e.promptId))
    .map((e) => walls.get(e.promptId)! - (e.endedAt - e.startedAt));
  for (const p of pool) await p.close();
  for (const f of fakes) await f.close();
  return {
    mode,
    makespanS: makespan / 1000,
    overheadMs: {
      mean: overheads.reduce((a, b) => a + b, 0) / overheads.length,
      p50: quantile(overheads, 0.5),
      p95: quantile(overheads, 0.95),
      max: overheads[overheads.length - 1]!,
    },
    utilisation: busy / (SERVERS * makespan),
    warmupMs: warmup.reduce((a, b) => a + b, 0) / warmup.length,
  };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "bench-comfy-"));
  try {
    const key = await makeTestJob(join(dir, "key"), { frames: 1, width: 256, height: 144 });
    const baseline = await runMode("polling-only", false, dir, key.image);
    const ws = await runMode("websocket", true, dir, key.image);
    const row = (r: Result) =>
      `| ${r.mode} | ${r.makespanS.toFixed(2)} | ${r.overheadMs.mean.toFixed(1)} | ${r.overheadMs.p50.toFixed(1)} | ${r.overheadMs.p95.toFixed(1)} | ${r.overheadMs.max.toFixed(1)} | ${r.warmupMs.toFixed(1)} | ${(r.utilisation * 100).toFixed(1)} % |`;
    console.log(
      `${JOBS} jobs × ${FRAMES} frames, ${SERVERS} fake servers, delay ${DELAY} ms, poll every ${POLL} ms`,
    );
    console.log(
      "| mode | makespan s | overhead mean ms | p50 | p95 | max | first job per server ms | utilisation |",
    );
    console.log("|---|---|---|---|---|---|---|---|");
    console.log(row(baseline));
    console.log(row(ws));
    console.log(
      `websocket ÷ polling-only: overhead ${(ws.overheadMs.mean / baseline.overheadMs.mean).toFixed(2)}×, makespan ${(ws.makespanS / baseline.makespanS).toFixed(2)}×`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
