// The PostgreSQL store: the shared conformance suite, plus races between processes and a shared media folder.
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readdirSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { dropPostgresProject, openPostgresStore, projectSchema } from "./postgres.js";
import { newTake, runStoreSuite } from "./store.case.js";
import type { Store } from "./types.js";

const url = process.env.REFRAIN_TEST_DATABASE_URL;
const run = promisify(execFile);

if (!url) {
  describe.skip('PostgreSQL store (REFRAIN_TEST_DATABASE_URL unset: eval "$(test/postgres/start.sh)" to run)', () => {
    it("needs a database", () => {});
  });
} else {
  runStoreSuite("postgres", async () => {
    const projectId = `suite-${randomUUID()}`;
    const mediaRoot = await mkdtemp(join(tmpdir(), "refrain-pgmedia-"));
    return {
      open: () => openPostgresStore(url, { projectId, mediaRoot }),
      cleanup: async () => {
        await dropPostgresProject(url, projectId);
        await rm(mediaRoot, { recursive: true, force: true });
      },
    };
  });

  describe("PostgreSQL store", () => {
    let projectId: string;
    let mediaRoot: string;
    const opened: Store[] = [];
    const open = async (id = projectId) => {
      const s = await openPostgresStore(url, { projectId: id, mediaRoot, maxConnections: 8 });
      opened.push(s);
      return s;
    };
    beforeEach(async () => {
      projectId = `pg-${randomUUID()}`;
      mediaRoot = await mkdtemp(join(tmpdir(), "refrain-pgmedia-"));
    });
    afterEach(async () => {
      for (const s of opened.splice(0)) await s.close();
      await dropPostgresProject(url, projectId);
      await rm(mediaRoot, { recursive: true, force: true });
    });

    it("lets only as many of many simultaneous intents through as the budget holds", async () => {
      const [a, b] = [await open(), await open()];
      // 24 intents of $1 race from two handles (separate connection pools) against a $10 budget.
      const results = await Promise.all(
        Array.from({ length: 24 }, (_, i) => (i % 2 ? a : b).createIntent(newTake({ estimatedUsd: 1 }), 10)),
      );
      expect(results.filter((r) => r.ok)).toHaveLength(10);
      expect(await a.ledgerTotals()).toEqual({ chargedUsd: 0, reservedUsd: 10 });
    });

    it("gives a job to exactly one of many simultaneous claimants", async () => {
      const [a, b] = [await open(), await open()];
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) => (i % 2 ? a : b).createIntent(newTake({ jobKey: "contested" }))),
      );
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      expect(await a.listTakes({ jobKeys: ["contested"] })).toHaveLength(1);
    });

    it("charges once when two processes finish the same take at once", async () => {
      const [a, b] = [await open(), await open()];
      const t = newTake({ estimatedUsd: 2 });
      await a.createIntent(t);
      const outcome = {
        status: "succeeded",
        finishedAt: 9,
        outputHash: "f".repeat(64),
        chargeUsd: 2,
      } as const;
      await Promise.all([a.finishTake(t.id, outcome), b.finishTake(t.id, outcome)]);
      expect(await a.ledgerTotals()).toEqual({ chargedUsd: 2, reservedUsd: 0 });
    });

    it("keeps projects in one database apart", async () => {
      const other = `pg-${randomUUID()}`;
      try {
        const [a, b] = [await open(), await open(other)];
        await a.createIntent(newTake({ estimatedUsd: 5 }), 5);
        expect((await b.createIntent(newTake({ estimatedUsd: 5 }), 5)).ok).toBe(true);
        expect(await b.listTakes()).toHaveLength(1);
      } finally {
        for (const s of opened.splice(0)) await s.close();
        await dropPostgresProject(url, other);
      }
    });

    it("refuses a schema written by a newer refrain with one clear line", async () => {
      await (await open()).close();
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`UPDATE ${projectSchema(projectId)}.meta SET value = 999 WHERE key = 'version'`);
      await client.end();
      await expect(open()).rejects.toThrow(/newer refrain/);
    });

    it("says which server it could not reach, without the password", async () => {
      const dead = "postgres://refrain:s3cret@127.0.0.1:1/none";
      const error = await openPostgresStore(dead, { projectId, mediaRoot }).catch((e: Error) => e);
      expect(error).toMatchObject({ name: "UserInputError" });
      expect((error as Error).message).toMatch(/127\.0\.0\.1:1/);
      expect((error as Error).message).not.toMatch(/s3cret/);
      expect((error as Error).message.split("\n")).toHaveLength(1);
    });

    it("shares one media folder between worker processes on the same mount", async () => {
      // Two separate processes put files into the same folder at once (the same bytes included),
      // as two workers on two machines mounting one share would; each then finds the other's.
      const script = `
        import { writeFileSync } from "node:fs";
        import { openPostgresStore } from ${JSON.stringify(new URL("./postgres.ts", import.meta.url).pathname)};
        const [url, projectId, mediaRoot, who] = process.argv.slice(2);
        const store = await openPostgresStore(url, { projectId, mediaRoot });
        const hashes = [];
        for (let i = 0; i < 5; i++) {
          const src = mediaRoot + "/../" + who + "-" + i + ".mp4";
          writeFileSync(src, i === 0 ? "same bytes in both" : who + " clip " + i);
          hashes.push(await store.media.put(src, { move: true }));
        }
        await store.close();
        console.log(JSON.stringify(hashes));
      `;
      const scriptPath = join(mediaRoot, "..", `media-writer-${randomUUID()}.mts`);
      writeFileSync(scriptPath, script);
      try {
        const tsx = join(process.cwd(), "node_modules", ".bin", "tsx");
        const outs = await Promise.all(
          ["w1", "w2"].map((who) =>
            run(tsx, [scriptPath, url, projectId, mediaRoot, who], { timeout: 15_000 }),
          ),
        );
        const [h1, h2] = outs.map((o) => JSON.parse(o.stdout) as string[]);
        expect(h1![0]).toBe(h2![0]);
        const store = await open();
        for (const h of [...h1!, ...h2!]) expect(store.media.has(h)).toBe(true);
        const files = readdirSync(mediaRoot, { recursive: true, withFileTypes: true }).filter((d) =>
          d.isFile(),
        );
        expect(files.map((f) => f.name).filter((n) => n.includes("partial"))).toEqual([]);
        expect(files).toHaveLength(9);
      } finally {
        await rm(scriptPath, { force: true });
      }
    }, 20_000);
  });
}
