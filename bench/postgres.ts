// PostgreSQL bench: two worker processes finish a 40-segment song through pg-boss with a database restart midway,
// against one worker without a restart; no take may be submitted twice.
//
// Run: npx tsx bench/postgres.ts [--jobs 40] [--latency 400] [--concurrency 2]
// Needs PostgreSQL's server programs (test/postgres/start.sh installs Debian's package as root); it starts its own.
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fakeJobs, fileBook } from "../src/engine/testing.js";
import { openPostgresStore } from "../src/store/index.js";
import { enqueueTakes, openQueue, type TakeJobData } from "../src/worker/index.js";
import { restartServer, startPrivateServer } from "../test/postgres/server.js";

const args = process.argv.slice(2);
const arg = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const JOBS = arg("jobs", 40);
const LATENCY = arg("latency", 400);
const CONCURRENCY = arg("concurrency", 2);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

interface Outcome {
  makespanMs: number;
  submissions: number;
  distinctSegments: number;
  succeeded: number;
  perWorker: number[];
  databaseLost: boolean;
}

async function scenario(url: string, workers: number, restart?: () => Promise<void>): Promise<Outcome> {
  const dir = await mkdtemp(join(tmpdir(), "refrain-bench-pg-"));
  const projectId = `bench-${randomUUID()}`;
  const queueSchema = `bench_${randomUUID().replace(/-/g, "").slice(0, 12)}`;
  const bookPath = join(dir, "provider.db");
  fileBook(bookPath).close();
  const store = await openPostgresStore(url, { projectId, mediaRoot: join(dir, "media") });
  const boss = await openQueue(url, { schema: queueSchema });
  const data: TakeJobData[] = fakeJobs(JOBS).map((spec) => ({
    projectId,
    projectDir: dir,
    mediaRoot: join(dir, "media"),
    clip: { provider: "fake" },
    spec,
  }));
  await enqueueTakes(boss, data, { name: "fake", model: "fake-model" });
  await boss.stop({ graceful: false, wait: true });

  const perWorker = Array.from({ length: workers }, () => 0);
  let databaseLost = false;
  const tsx = join(process.cwd(), "node_modules", ".bin", "tsx");
  const started = Date.now();
  const children: ChildProcess[] = perWorker.map((_, i) => {
    const child = spawn(
      tsx,
      ["bench/postgres-worker.ts", url, queueSchema, bookPath, String(LATENCY), String(CONCURRENCY)],
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    createInterface({ input: child.stdout! }).on("line", (line) => {
      const e = JSON.parse(line) as { type: string };
      if (e.type === "done") perWorker[i]!++;
      if (e.type === "database-lost") databaseLost = true;
    });
    return child;
  });
  const succeeded = async () => (await store.listTakes({ statuses: ["succeeded"] }).catch(() => [])).length;
  let restarted = false;
  for (;;) {
    const n = await succeeded();
    if (n >= JOBS) break;
    if (restart && !restarted && n >= JOBS / 4) {
      restarted = true;
      await restart();
    }
    if (Date.now() - started > 180_000) throw new Error(`only ${n} of ${JOBS} takes after 3 minutes`);
    await sleep(50);
  }
  const makespanMs = Date.now() - started;
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((done) => {
          c.once("exit", () => done());
          c.kill("SIGTERM");
        }),
    ),
  );

  const book = fileBook(bookPath);
  const remote = book.all();
  book.close();
  const outcome: Outcome = {
    makespanMs,
    submissions: remote.length,
    distinctSegments: new Set(remote.map((j) => j.segment)).size,
    succeeded: await succeeded(),
    perWorker,
    databaseLost,
  };
  await store.close();
  await rm(dir, { recursive: true, force: true });
  return outcome;
}

const server = await startPrivateServer();
try {
  const one = await scenario(server.url, 1);
  const pair = await scenario(server.url, 2);
  const two = await scenario(server.url, 2, () => restartServer(2_000, server.env));
  const row = (name: string, o: Outcome) =>
    `| ${name} | ${(o.makespanMs / 1000).toFixed(1)} s | ${o.succeeded} | ${o.submissions} | ${o.distinctSegments} | ${o.perWorker.join(" + ")} | ${o.databaseLost ? "yes" : "no"} |`;
  console.log(
    `${JOBS} segments, fake provider ${LATENCY} ms per take, ${CONCURRENCY} takes at a time per worker\n`,
  );
  console.log(
    "| run | makespan | takes succeeded | submissions at the fake | segments submitted | jobs per worker | saw the database go |",
  );
  console.log("|---|---|---|---|---|---|---|");
  console.log(row("baseline: 1 worker, no restart", one));
  console.log(row("2 workers, no restart", pair));
  console.log(row("2 workers, database restarted (2 s down) after a quarter", two));
  const ratio = (o: Outcome) => (o.makespanMs / one.makespanMs).toFixed(2);
  console.log(`\nmakespan ÷ baseline: 2 workers ${ratio(pair)}, 2 workers with a restart ${ratio(two)}`);
  const runs = [one, pair, two];
  const twice = runs.reduce((n, o) => n + o.submissions - o.distinctSegments, 0);
  console.log(`takes submitted twice: ${twice}`);
  if (twice !== 0 || runs.some((o) => o.submissions !== JOBS || o.succeeded !== JOBS)) process.exitCode = 1;
} finally {
  await server.stop();
}
