// The SQLite store passes the Store conformance suite, and keeps its own promises (WAL, migrations).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { databasePath, integrityCheck, openSqliteStore } from "./sqlite.js";
import { runStoreSuite } from "./store.case.js";

runStoreSuite("sqlite", async () => {
  const dir = await mkdtemp(join(tmpdir(), "refrain-store-"));
  return {
    open: async () => openSqliteStore(dir),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});

describe("SQLite store", () => {
  it("opens in WAL mode with a schema version", async () => {
    const dir = await mkdtemp(join(tmpdir(), "refrain-store-"));
    const store = openSqliteStore(dir);
    const db = new Database(databasePath(dir));
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(db.pragma("user_version", { simple: true })).toBeGreaterThan(0);
    db.close();
    await store.close();
    expect(integrityCheck(dir)).toBe("ok");
    await rm(dir, { recursive: true, force: true });
  });

  it("refuses a database written by a newer refrain with one clear line", async () => {
    const dir = await mkdtemp(join(tmpdir(), "refrain-store-"));
    await openSqliteStore(dir).close();
    const db = new Database(databasePath(dir));
    db.pragma("user_version = 999");
    db.close();
    expect(() => openSqliteStore(dir)).toThrow(/newer refrain/);
    await rm(dir, { recursive: true, force: true });
  });
});
