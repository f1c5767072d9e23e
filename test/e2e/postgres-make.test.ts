// Issue 5 part 9 end to end: `refrain make` on a team's PostgreSQL queues its takes, two `refrain worker` processes make them, each exactly once.
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type FalFake, startFalFake } from "../../fakes/fal/server.js";
import { main } from "../../src/cli/main.js";
import {
  countFrames,
  expectedFrames,
  filesUnder,
  type Inputs,
  json,
  makeInputs,
  makeProject,
  refrain,
  removeAll,
  type TakeRow,
  tools,
} from "./helpers.js";

const url = process.env.REFRAIN_TEST_DATABASE_URL;
const KEY = "fal-team-e2e";

/** A worker process and the take jobs it reported done. */
interface WorkerProcess {
  child: ChildProcess;
  lines: string[];
  done: () => number;
  exited: Promise<void>;
}

function startWorkerProcess(env: Record<string, string>): WorkerProcess {
  const tsx = join(process.cwd(), "node_modules", ".bin", "tsx");
  const child = spawn(tsx, [join("test", "e2e", "worker-child.ts")], {
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  const lines: string[] = [];
  let buffer = "";
  child.stderr!.on("data", (chunk: Buffer) => {
    buffer += chunk.toString();
    const parts = buffer.split("\n");
    buffer = parts.pop() ?? "";
    lines.push(...parts);
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return { child, lines, exited, done: () => lines.filter((l) => /: segment \d+ succeeded$/.test(l)).length };
}

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

if (!url) {
  describe.skip('refrain make on PostgreSQL (REFRAIN_TEST_DATABASE_URL unset: eval "$(test/postgres/start.sh)" to run)', () => {
    test("needs a database", () => {});
  });
} else {
  describe("refrain make on PostgreSQL with two workers", () => {
    let inputs: Inputs;
    let fake: FalFake;
    let dir: string;
    let teamUrl: string;
    const database = `refrain_e2e_${randomUUID().replace(/-/g, "").slice(0, 12)}`;
    const workers: WorkerProcess[] = [];

    beforeAll(async () => {
      // A database of its own: this test's queue and project never meet another test's.
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${database}`);
      await admin.end();
      const u = new URL(url);
      u.pathname = `/${database}`;
      teamUrl = u.toString();
      inputs = await makeInputs();
      fake = await startFalFake({ key: KEY, runMs: 1_500, concurrency: 8, tools });
      dir = await makeProject(
        inputs,
        { provider: "fal", model: "infinitalk", base_url: fake.url, storage_url: fake.url },
        { title: "Team Song" },
      );
    }, 60_000);

    afterAll(async () => {
      for (const w of workers) w.child.kill("SIGTERM");
      await Promise.race([
        Promise.all(workers.map((w) => w.exited)),
        new Promise((r) => setTimeout(r, 15_000)),
      ]);
      for (const w of workers) if (w.child.exitCode === null) w.child.kill("SIGKILL");
      await fake?.close();
      await removeAll(...[inputs?.dir, dir].filter((d): d is string => Boolean(d)));
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await admin.end();
    }, 30_000);

    test("without workers it says so; Ctrl-C leaves the takes queued; workers make each once; the video is made", async () => {
      const media = join(inputs.dir, "team-media");
      const env = {
        REFRAIN_DATABASE_URL: teamUrl,
        REFRAIN_MEDIA_DIR: media,
        FAL_KEY: KEY,
        REFRAIN_WORKER_WAIT_S: "1",
      };

      // doctor names the store, the project's id and the media folder workers must see.
      const doctor = JSON.parse((await refrain(dir, env, "doctor", "--json")).out) as {
        checks: { name: string; ok: boolean; detail: string }[];
      };
      const store = doctor.checks.find((c) => c.name === "store");
      expect(store?.ok, store?.detail).toBe(true);
      expect(store?.detail).toContain("project team-song");
      expect(store?.detail).toContain(media);

      // No worker yet: make queues the takes, says nobody takes them, and Ctrl-C stops it.
      const stop = new AbortController();
      const err: string[] = [];
      const code = await main(["node", "refrain", "make"], {
        cwd: dir,
        env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
        stdout: () => {},
        stderr: (t) => {
          err.push(t);
          if (/waiting for a worker/.test(t)) stop.abort();
        },
        signal: stop.signal,
        interactive: false,
      });
      const said = err.join("\n");
      expect(said).toMatch(/project team-song/);
      expect(said).toMatch(/waiting for a worker: start `refrain worker`/);
      expect(said).toMatch(/stay queued for workers/);
      expect(code).toBe(0);
      expect(fake.stats.submits, "make submitted a take itself").toBe(0);
      expect(existsSync(join(dir, "out", "Team Song.mp4"))).toBe(false);

      // Two workers (each its own process) drain the queue; make waits for them and renders.
      for (let i = 0; i < 2; i++)
        workers.push(startWorkerProcess({ REFRAIN_DATABASE_URL: teamUrl, FAL_KEY: KEY }));
      await until(
        () => workers.every((w) => w.lines.some((l) => /waiting for takes/.test(l))),
        30_000,
        "both workers to start",
      );
      const made = await refrain(dir, env, "make");
      expect(
        made.code,
        `make failed:\n${made.err}\nworkers:\n${workers.map((w) => w.lines.join("\n")).join("\n---\n")}`,
      ).toBe(0);
      const video = join(dir, "out", "Team Song.mp4");
      expect(existsSync(video)).toBe(true);
      expect(await countFrames(video)).toBe(expectedFrames(inputs.samples));

      // Every segment was generated exactly once, and by both workers between them.
      const takes = json<TakeRow[]>(await refrain(dir, env, "takes", "--json", "--no-measure"));
      const segments = [...new Set(takes.map((t) => t.segment))];
      expect(segments.length).toBeGreaterThan(1);
      expect(takes.length, "a segment has more than one take").toBe(segments.length);
      expect(takes.every((t) => t.status === "succeeded" && t.picked)).toBe(true);
      expect(fake.stats.submits, "a take was submitted twice").toBe(segments.length);
      const perWorker = workers.map((w) => w.done());
      // A take job runs once: no worker was handed one whose take another had made.
      expect(workers.flatMap((w) => w.lines).filter((l) => /made earlier/.test(l))).toEqual([]);
      expect(perWorker.reduce((a, b) => a + b, 0)).toBe(segments.length);
      expect(
        perWorker.every((n) => n > 0),
        `work per worker: ${perWorker.join(", ")}`,
      ).toBe(true);

      // The takes' videos are in the shared media folder, not the project's own.
      const videos = (await filesUnder(media)).filter((f) => f.endsWith(".mp4"));
      expect(videos.length).toBe(segments.length);
      expect(existsSync(join(dir, ".refrain", "media"))).toBe(false);

      // Nothing left to do: a further make neither queues nor submits.
      const again = await refrain(dir, env, "make");
      expect(again.code, again.err).toBe(0);
      expect(again.out).toMatch(/up to date/);
      expect(fake.stats.submits).toBe(segments.length);
    }, 90_000);

    test("--local makes the takes in the make process, on the shared store, queueing nothing", async () => {
      const local = await makeProject(inputs, { provider: "local" }, { title: "Solo Song" });
      try {
        const env = { REFRAIN_DATABASE_URL: teamUrl };
        const made = await refrain(local, env, "make", "--local");
        expect(made.code, made.err).toBe(0);
        expect(existsSync(join(local, "out", "Solo Song.mp4"))).toBe(true);
        const takes = json<TakeRow[]>(await refrain(local, env, "takes", "--json", "--no-measure"));
        expect(takes.length).toBeGreaterThan(1);
        expect(takes.every((t) => t.status === "succeeded" && t.picked)).toBe(true);
        // The takes are in PostgreSQL (no SQLite database in the folder) and none went through the queue.
        expect(existsSync(join(local, ".refrain", "refrain.db"))).toBe(false);
        const db = new pg.Client({ connectionString: teamUrl });
        await db.connect();
        try {
          const queue = await db.query<{ t: string | null }>("SELECT to_regclass('pgboss.job')::text AS t");
          if (queue.rows[0]!.t) {
            const { rows } = await db.query<{ n: number }>(
              "SELECT count(*)::int AS n FROM pgboss.job WHERE singleton_key LIKE 'solo-song:%'",
            );
            expect(rows[0]!.n).toBe(0);
          }
        } finally {
          await db.end();
        }
      } finally {
        await removeAll(local);
      }
    }, 60_000);
  });
}
