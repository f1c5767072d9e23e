// Workers on PostgreSQL: they share a song's takes through pg-boss, make each once, ride out a database restart and stop cleanly.
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { hasServerBinaries, restartServer, startPrivateServer } from "../../test/postgres/server.js";
import { type FakeProvider, fakeJobs, fakeProvider } from "../engine/testing.js";
import { dropPostgresProject, openPostgresStore, type Store } from "../store/index.js";
import { enqueueTakes, openQueue, TAKE_QUEUE, type TakeJobData } from "./queue.js";
import { startWorker, type Worker, type WorkerEvent } from "./worker.js";

const url = process.env.REFRAIN_TEST_DATABASE_URL;
const FAKE = { name: "fake", model: "fake-model" };

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

if (!url) {
  describe.skip('workers (REFRAIN_TEST_DATABASE_URL unset: eval "$(test/postgres/start.sh)" to run)', () => {
    it("needs a database", () => {});
  });
} else {
  describe("workers on PostgreSQL", () => {
    let projectId: string;
    let queueSchema: string;
    let dir: string;
    let store: Store;
    let fake: FakeProvider;
    const workers: Worker[] = [];
    const events: WorkerEvent[][] = [];

    const takes = (n: number): TakeJobData[] =>
      fakeJobs(n).map((spec) => ({
        projectId,
        projectDir: dir,
        mediaRoot: join(dir, "media"),
        clip: { provider: "fake" },
        spec,
      }));
    const enqueue = async (data: TakeJobData[], expireInSeconds?: number) => {
      const boss = await openQueue(url, { schema: queueSchema });
      try {
        return await enqueueTakes(boss, data, FAKE, expireInSeconds ? { expireInSeconds } : {});
      } finally {
        await boss.stop({ graceful: false, wait: true });
      }
    };
    const start = async (concurrency = 2, at = url, heartbeatMs?: number) => {
      const seen: WorkerEvent[] = [];
      events.push(seen);
      const w = await startWorker({
        url: at,
        queueSchema,
        concurrency,
        pollMs: 100,
        maintenanceIntervalSeconds: 1,
        ...(heartbeatMs ? { heartbeatMs } : {}),
        providers: async () => [fake],
        engine: { pollIntervalMs: 50, retryBaseMs: 50 },
        onEvent: (e) => seen.push(e),
      });
      workers.push(w);
      return w;
    };
    const succeeded = async () => (await store.listTakes({ statuses: ["succeeded"] })).length;
    const jobsDone = (seen: WorkerEvent[]) => seen.filter((e) => e.type === "done").length;

    beforeEach(async () => {
      projectId = `workers-${randomUUID()}`;
      queueSchema = `boss_${randomUUID().replace(/-/g, "").slice(0, 12)}`;
      dir = await mkdtemp(join(tmpdir(), "refrain-workers-"));
      store = await openPostgresStore(url, { projectId, mediaRoot: join(dir, "media") });
      fake = fakeProvider({ now: Date.now, latencyMs: 200, concurrency: 8 });
    });
    afterEach(async () => {
      await Promise.all(workers.splice(0).map((w) => w.stop()));
      events.splice(0);
      await store.close();
      await dropPostgresProject(url, projectId);
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${queueSchema} CASCADE`);
      await client.end();
      await rm(dir, { recursive: true, force: true });
    });

    it("share a song's takes and make each exactly once", async () => {
      await enqueue(takes(12));
      await Promise.all([start(), start()]);
      await until(async () => (await succeeded()) === 12, 15_000, "12 takes");
      expect(fake.calls.submit).toBe(12);
      // Both workers took part.
      expect(events.map(jobsDone).every((n) => n > 0)).toBe(true);
      const segments = (await store.listTakes()).map((t) => t.segment).sort((a, b) => a - b);
      expect(segments).toEqual([...Array(12).keys()]);
    }, 20_000);

    it("queue a take once however often it is sent", async () => {
      const first = await enqueue(takes(3));
      const again = await enqueue(takes(3));
      expect(first.every((id) => typeof id === "string")).toBe(true);
      expect(again).toEqual([null, null, null]);
    });

    it("do not make a take again when it is sent after it was made", async () => {
      await enqueue(takes(2));
      await start();
      await until(async () => (await succeeded()) === 2, 10_000, "2 takes");
      await enqueue(takes(2));
      await until(async () => jobsDone(events[0]!) === 4, 10_000, "the resent jobs");
      expect(fake.calls.submit).toBe(2);
    }, 20_000);

    it.skipIf(!hasServerBinaries())(
      "ride out a database restart in the middle of a run",
      async () => {
        // Its own server, so stopping it cannot disturb the other test files using the shared one.
        const server = await startPrivateServer();
        const own = await openPostgresStore(server.url, { projectId, mediaRoot: join(dir, "media") });
        try {
          fake = fakeProvider({ now: Date.now, latencyMs: 400, concurrency: 8 });
          const boss = await openQueue(server.url, { schema: queueSchema });
          await enqueueTakes(boss, takes(12), FAKE);
          await boss.stop({ graceful: false, wait: true });
          await Promise.all([start(2, server.url), start(2, server.url)]);
          const done = async () => (await own.listTakes({ statuses: ["succeeded"] }).catch(() => [])).length;
          await until(async () => (await done()) >= 2, 10_000, "the first takes");
          await restartServer(1_500, server.env);
          await until(async () => (await done()) === 12, 15_000, "12 takes after the restart");
          expect(fake.calls.submit).toBe(12);
          expect(events.flat().some((e) => e.type === "database-lost")).toBe(true);
        } finally {
          await Promise.all(workers.splice(0).map((w) => w.stop()));
          await own.close();
          await server.stop();
        }
      },
      40_000,
    );

    it("take up a take whose worker died once it expires, and never let a live worker's take expire", async () => {
      // A worker that takes a job and dies (kill -9) does neither complete nor renew it.
      await enqueue(takes(1), 3);
      const dead = await openQueue(url, { schema: queueSchema });
      const [job] = await dead.fetch(TAKE_QUEUE, { batchSize: 1 });
      expect(job).toBeDefined();
      await dead.stop({ graceful: false, wait: true });
      await start(1);
      await until(async () => (await succeeded()) === 1, 20_000, "the dead worker's take");

      await Promise.all(workers.splice(0).map((w) => w.stop()));
      events.splice(0);

      // A live worker renews its job: a take slower than the expiry and pg-boss's retry delay (5 s)
      // together is not handed to another worker.
      fake = fakeProvider({ now: Date.now, latencyMs: 12_000, concurrency: 8 });
      await enqueue(
        fakeJobs(2)
          .slice(1)
          .map((spec) => ({ ...takes(1)[0]!, spec })),
        3,
      );
      await start(1, url, 500);
      await start(1, url, 500);
      await until(async () => (await succeeded()) === 2, 30_000, "the slow take");
      expect(fake.calls.submit).toBe(1);
      // One worker ever started it: it never expired into the other's hands.
      expect(events.flat().filter((e) => e.type === "job")).toHaveLength(1);
    }, 60_000);

    it("hand a running take back on stop, and another worker finishes it without paying again", async () => {
      fake = fakeProvider({ now: Date.now, latencyMs: 1_500, concurrency: 8 });
      await enqueue(takes(1));
      const a = await start(1);
      await until(async () => fake.calls.submit === 1, 5_000, "the submit");
      await a.stop();
      expect(events[0]!.some((e) => e.type === "returned")).toBe(true);
      expect((await store.listTakes())[0]?.status).toBe("submitted");
      await start(1);
      // pg-boss holds a handed-back job for its retry delay (5 s) before anyone may take it.
      await until(async () => (await succeeded()) === 1, 15_000, "the take");
      expect(fake.calls.submit).toBe(1);
    }, 20_000);
  });
}
