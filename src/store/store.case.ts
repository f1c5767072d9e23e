// The conformance suite every Store passes (SQLite now, PostgreSQL later): run it with runStoreSuite.
import { createHash, randomUUID } from "node:crypto";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { hashKey } from "./cachekey.js";
import type { NewTake, Store } from "./types.js";

/** A fresh, empty store; `open` may be called twice to get two handles on the same data. */
export interface StoreFixture {
  open(): Promise<Store>;
  cleanup(): Promise<void>;
}

let counter = 0;
/** A take as the engine would write it, with overridable fields. */
export function newTake(over: Partial<NewTake> = {}): NewTake {
  counter++;
  return {
    id: randomUUID(),
    jobKey: `job-${counter}`,
    segment: 0,
    segmentKey: "seg-0",
    kind: "vocal",
    provider: "fake",
    endpoint: "fake",
    model: "fake-model",
    seed: counter,
    prompt: "a singer",
    imageHash: "i".repeat(64),
    audioHash: "a".repeat(64),
    frames: 81,
    videoSeconds: 3.24,
    token: randomUUID(),
    estimatedUsd: 1,
    createdAt: 1_000 + counter,
    spec: { segment: over.segment ?? 0 },
    ...over,
  };
}

export function runStoreSuite(name: string, factory: () => Promise<StoreFixture>): void {
  describe(`Store conformance: ${name}`, () => {
    let fixture: StoreFixture;
    let store: Store;
    const opened: Store[] = [];
    const open = async () => {
      const s = await fixture.open();
      opened.push(s);
      return s;
    };

    beforeEach(async () => {
      fixture = await factory();
      store = await open();
    });
    afterEach(async () => {
      for (const s of opened.splice(0)) await s.close();
      await fixture.cleanup();
    });

    describe("stage results", () => {
      const key = { stage: "analysis", version: 1, inputs: { audio: "a".repeat(64) }, params: { fps: 25 } };

      it("finds a stored result by the hash of its key", async () => {
        await store.putStage(key, { beats: [1, 2, 3] }, 10);
        const found = await store.getStage("analysis", hashKey(key));
        expect(found?.result).toEqual({ beats: [1, 2, 3] });
        expect(found?.key).toEqual(key);
      });

      it("misses when any part of the key changed", async () => {
        await store.putStage(key, { beats: [] }, 10);
        const changed = { ...key, params: { fps: 30 } };
        expect(await store.getStage("analysis", hashKey(changed))).toBeUndefined();
      });

      it("tells the latest result of a stage, for explaining why it re-runs", async () => {
        await store.putStage(key, "old", 10);
        const newer = { ...key, version: 2 };
        await store.putStage(newer, "new", 20);
        expect((await store.latestStage("analysis"))?.key.version).toBe(2);
        expect(await store.latestStage("plan")).toBeUndefined();
      });
    });

    describe("takes and the budget", () => {
      it("commits an intent with its reservation held against the budget", async () => {
        const r = await store.createIntent(newTake({ estimatedUsd: 2.5 }), 10);
        expect(r.ok).toBe(true);
        if (!r.ok) return;
        expect(r.take.status).toBe("intent");
        expect(r.take.remoteId).toBeNull();
        expect(await store.ledgerTotals()).toEqual({ chargedUsd: 0, reservedUsd: 2.5 });
      });

      it("refuses an intent that would cross the budget and writes nothing", async () => {
        await store.createIntent(newTake({ estimatedUsd: 6 }), 10);
        const refused = await store.createIntent(newTake({ estimatedUsd: 5 }), 10);
        expect(refused).toMatchObject({ ok: false, reason: "budget", committedUsd: 6, budgetUsd: 10 });
        expect(await store.listTakes()).toHaveLength(1);
        expect((await store.ledgerTotals()).reservedUsd).toBe(6);
      });

      it("shares one budget between two handles on the same project", async () => {
        const other = await open();
        await store.createIntent(newTake({ estimatedUsd: 6 }), 10);
        const refused = await other.createIntent(newTake({ estimatedUsd: 6 }), 10);
        expect(refused.ok).toBe(false);
      });

      it("refuses a second take of a job another process already holds", async () => {
        const other = await open();
        const first = newTake({ jobKey: "same-job" });
        await store.createIntent(first);
        const second = await other.createIntent(newTake({ jobKey: "same-job" }));
        expect(second).toMatchObject({ ok: false, reason: "taken", take: { id: first.id } });
        expect(await store.listTakes({ jobKeys: ["same-job"] })).toHaveLength(1);
      });

      it("opens a job for a new attempt once its take failed", async () => {
        const first = newTake({ jobKey: "retry-job" });
        await store.createIntent(first);
        await store.finishTake(first.id, {
          status: "failed",
          finishedAt: 5,
          failureReason: "oom",
          chargeUsd: 0,
        });
        expect((await store.createIntent(newTake({ jobKey: "retry-job" }))).ok).toBe(true);
      });

      it("counts money in exact cents however many takes add up", async () => {
        for (let i = 0; i < 10; i++) await store.createIntent(newTake({ estimatedUsd: 0.1 }), 1);
        expect((await store.createIntent(newTake({ estimatedUsd: 0.01 }), 1)).ok).toBe(false);
        expect((await store.ledgerTotals()).reservedUsd).toBe(1);
      });

      it("records the remote id once the provider accepted", async () => {
        const t = newTake();
        await store.createIntent(t);
        await store.markSubmitted(t.id, "remote-1", 2_000);
        await store.markRunning(t.id);
        expect(await store.getTake(t.id)).toMatchObject({
          remoteId: "remote-1",
          status: "running",
          submittedAt: 2_000,
        });
      });

      it("turns the reservation into the actual charge when a take finishes", async () => {
        const t = newTake({ estimatedUsd: 2 });
        await store.createIntent(t, 10);
        await store.markSubmitted(t.id, "r", 2_000);
        const done = await store.finishTake(t.id, {
          status: "succeeded",
          finishedAt: 3_000,
          outputHash: "f".repeat(64),
          chargeUsd: 1.5,
        });
        expect(done).toMatchObject({ status: "succeeded", actualUsd: 1.5, outputHash: "f".repeat(64) });
        expect(await store.ledgerTotals()).toEqual({ chargedUsd: 1.5, reservedUsd: 0 });
        expect((await store.ledger(t.id)).map((e) => e.kind)).toEqual(["reserve", "release", "charge"]);
      });

      it("never charges twice when a take is finished twice", async () => {
        const t = newTake({ estimatedUsd: 2 });
        await store.createIntent(t);
        const outcome = {
          status: "succeeded",
          finishedAt: 3_000,
          outputHash: "f".repeat(64),
          chargeUsd: 2,
        } as const;
        await store.finishTake(t.id, outcome);
        await store.finishTake(t.id, outcome);
        expect((await store.ledgerTotals()).chargedUsd).toBe(2);
      });

      it("picks a segment's first successful take and keeps that pick", async () => {
        const a = newTake({ segmentKey: "k", segment: 3 });
        const b = newTake({ segmentKey: "k", segment: 3 });
        for (const t of [a, b]) {
          await store.createIntent(t);
          await store.finishTake(t.id, {
            status: "succeeded",
            finishedAt: 5,
            outputHash: "f".repeat(64),
            chargeUsd: 0,
          });
        }
        expect(await store.listPicks()).toEqual([{ segmentKey: "k", segment: 3, takeId: a.id, pickedAt: 5 }]);
        await store.setPick("k", 3, b.id, 9);
        const takes = await store.listTakes({ segment: 3 });
        expect(takes.map((t) => [t.id, t.picked])).toEqual([
          [a.id, false],
          [b.id, true],
        ]);
      });

      it("keeps an uncertain take's reservation until the user resolves it", async () => {
        const t = newTake({ estimatedUsd: 3 });
        await store.createIntent(t);
        await store.markUncertain(t.id, "submit timed out");
        expect(await store.getTake(t.id)).toMatchObject({
          status: "uncertain",
          failureReason: "submit timed out",
        });
        expect((await store.ledgerTotals()).reservedUsd).toBe(3);
        await store.resolveUncertain(t.id, { void: true, at: 9 });
        expect((await store.getTake(t.id))?.status).toBe("cancelled");
        expect((await store.ledgerTotals()).reservedUsd).toBe(0);
      });

      it("adopts a remote id for an uncertain take the user found", async () => {
        const t = newTake();
        await store.createIntent(t);
        await store.markUncertain(t.id, "lost response");
        await store.resolveUncertain(t.id, { remoteId: "found-it", at: 9 });
        expect(await store.getTake(t.id)).toMatchObject({ status: "submitted", remoteId: "found-it" });
      });

      it("filters takes by segment, job and status", async () => {
        const a = newTake({ segment: 0, jobKey: "j0" });
        const b = newTake({ segment: 1, jobKey: "j1" });
        await store.createIntent(a);
        await store.createIntent(b);
        await store.markSubmitted(b.id, "r", 1);
        expect((await store.listTakes({ segment: 1 })).map((t) => t.id)).toEqual([b.id]);
        expect((await store.listTakes({ jobKeys: ["j0"] })).map((t) => t.id)).toEqual([a.id]);
        expect((await store.listTakes({ statuses: ["intent"] })).map((t) => t.id)).toEqual([a.id]);
      });

      it("keeps the job spec for rerolls", async () => {
        const t = newTake({ spec: { image: "/x.png", seed: 4 } });
        await store.createIntent(t);
        expect((await store.getTake(t.id))?.spec).toEqual({ image: "/x.png", seed: 4 });
      });

      it("marks takes of segments gone from the plan stale", async () => {
        const keep = newTake({ segmentKey: "keep" });
        const gone = newTake({ segmentKey: "gone" });
        await store.createIntent(keep);
        await store.createIntent(gone);
        expect(await store.markStale(["keep"])).toBe(1);
        expect((await store.getTake(gone.id))?.stale).toBe(true);
        expect((await store.getTake(keep.id))?.stale).toBe(false);
      });

      it("deletes takes with their picks but keeps what was paid in the ledger", async () => {
        const t = newTake({ estimatedUsd: 1 });
        await store.createIntent(t);
        await store.finishTake(t.id, {
          status: "succeeded",
          finishedAt: 5,
          outputHash: "f".repeat(64),
          chargeUsd: 1,
        });
        await store.deleteTakes([t.id]);
        expect(await store.listTakes()).toEqual([]);
        expect(await store.listPicks()).toEqual([]);
        expect((await store.ledgerTotals()).chargedUsd).toBe(1);
      });

      it("keeps everything across a reopen", async () => {
        const t = newTake();
        await store.createIntent(t);
        await store.markSubmitted(t.id, "r-9", 7);
        await store.close();
        const again = await open();
        expect(await again.getTake(t.id)).toMatchObject({ remoteId: "r-9", status: "submitted" });
      });
    });

    describe("media", () => {
      let dir: string;
      beforeEach(async () => {
        dir = await mkdtemp(join(tmpdir(), "refrain-media-"));
      });
      afterEach(async () => {
        await rm(dir, { recursive: true, force: true });
      });
      const sha = (text: string) => createHash("sha256").update(text).digest("hex");

      it("stores a file under its sha256 in a two-letter folder", async () => {
        const src = join(dir, "clip.mp4");
        writeFileSync(src, "video bytes");
        const hash = await store.media.put(src);
        expect(hash).toBe(sha("video bytes"));
        const path = store.media.path(hash);
        expect(basename(path)).toBe(`${hash}.mp4`);
        expect(basename(dirname(path))).toBe(hash.slice(0, 2));
        expect(readFileSync(path, "utf8")).toBe("video bytes");
        expect(existsSync(src)).toBe(true);
      });

      it("moves a file in when asked, leaving no partial file behind", async () => {
        const src = join(dir, "take.mp4");
        writeFileSync(src, "moved bytes");
        const hash = await store.media.put(src, { move: true });
        expect(existsSync(src)).toBe(false);
        const folder = dirname(store.media.path(hash));
        expect(readdirSync(folder).filter((n) => n.includes("partial"))).toEqual([]);
      });

      it("keeps one copy of the same bytes", async () => {
        writeFileSync(join(dir, "a.mp4"), "same");
        writeFileSync(join(dir, "b.mp4"), "same");
        const a = await store.media.put(join(dir, "a.mp4"));
        const b = await store.media.put(join(dir, "b.mp4"), { move: true });
        expect(a).toBe(b);
        expect(readdirSync(dirname(store.media.path(a)))).toHaveLength(1);
      });

      it("removes a file and tells the bytes freed", async () => {
        writeFileSync(join(dir, "c.mp4"), "12345");
        const hash = await store.media.put(join(dir, "c.mp4"));
        expect(await store.media.remove(hash)).toBe(5);
        expect(store.media.has(hash)).toBe(false);
        expect(() => store.media.path(hash)).toThrow(/not in/);
      });
    });
  });
}
