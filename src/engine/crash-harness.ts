// Kills a real generation process with SIGKILL at random instants, resumes it, and checks nothing was paid twice or lost.
import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { integrityCheck, openSqliteStore } from "../store/index.js";
import { fakeVideoBytes, fileBook } from "./testing.js";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../..");

/**
 * Bundles crash-child.ts into one .mjs beside node_modules, so each restart costs a plain `node`
 * start (about 0.1 s) rather than a TypeScript compile.
 */
export async function buildCrashChild(): Promise<string> {
  const { build } = await import("esbuild");
  const outfile = join(root, "node_modules", ".cache", "refrain-engine", "crash-child.mjs");
  await mkdir(dirname(outfile), { recursive: true });
  await build({
    entryPoints: [join(here, "crash-child.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    outfile,
    logLevel: "error",
  });
  return outfile;
}

export interface CrashTrialOptions {
  readonly child: string;
  /** Kills that must land while the child is working. */
  readonly kills: number;
  /** Jobs per round; a round ends when a run completes without being killed. */
  readonly jobs: number;
  readonly slots?: number;
  /** A kill lands uniformly within this many ms after the child started generating. */
  readonly maxDelayMs: number;
  readonly random: () => number;
}

export interface CrashTrial {
  readonly rounds: number;
  readonly kills: number;
  readonly runs: number;
  /** Jobs the fake provider accepted, over all rounds. */
  readonly submissions: number;
  /** Takes holding a remote id, over all rounds. */
  readonly takesSubmitted: number;
  /** Remote jobs beyond one per segment. */
  readonly duplicates: number;
  /** Succeeded takes whose file is missing or holds other bytes. */
  readonly lostFiles: number;
  /** Segments without a succeeded take at the end of a round. */
  readonly incomplete: number;
  /** Remote jobs no take knows about. */
  readonly orphans: number;
  readonly integrity: readonly string[];
}

function runChild(
  child: string,
  args: string[],
  killAfterMs: number | undefined,
): Promise<{ killed: boolean; code: number | null }> {
  return new Promise((done, fail) => {
    const proc: ChildProcess = spawn(process.execPath, [child, ...args], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let killed = false;
    let timer: NodeJS.Timeout | undefined;
    let err = "";
    proc.stderr?.on("data", (d: Buffer) => {
      err += d.toString();
    });
    proc.stdout?.on("data", (d: Buffer) => {
      if (killAfterMs !== undefined && timer === undefined && d.toString().includes("started"))
        timer = setTimeout(() => {
          killed = proc.kill("SIGKILL");
        }, killAfterMs);
    });
    proc.on("error", fail);
    proc.on("exit", (code) => {
      clearTimeout(timer);
      if (!killed && code !== 0) fail(new Error(`crash child exited ${code}: ${err.slice(-2000)}`));
      else done({ killed, code });
    });
  });
}

async function checkRound(project: string, bookPath: string, jobs: number) {
  const store = openSqliteStore(project);
  const book = fileBook(bookPath);
  try {
    const remote = book.all();
    const takes = await store.listTakes();
    const submitted = takes.filter((t) => t.remoteId !== null);
    const perSegment = new Map<number, number>();
    for (const j of remote) perSegment.set(j.segment, (perSegment.get(j.segment) ?? 0) + 1);
    const duplicates = [...perSegment.values()].reduce((n, c) => n + Math.max(0, c - 1), 0);
    const orphans = remote.filter(
      (j) => !submitted.some((t) => t.remoteId === j.remoteId && t.token === j.token),
    ).length;
    let lostFiles = 0;
    const done = takes.filter((t) => t.status === "succeeded");
    for (const t of done) {
      const job = remote.find((j) => j.remoteId === t.remoteId);
      const expected = job && createHash("sha256").update(fakeVideoBytes(job)).digest("hex");
      const ok =
        t.outputHash === expected &&
        store.media.has(t.outputHash) &&
        createHash("sha256")
          .update(readFileSync(store.media.path(t.outputHash)))
          .digest("hex") === expected;
      if (!ok) lostFiles++;
    }
    const incomplete = jobs - new Set(done.map((t) => t.segment)).size;
    return {
      submissions: remote.length,
      takesSubmitted: submitted.length,
      duplicates,
      orphans,
      lostFiles,
      incomplete,
    };
  } finally {
    await store.close();
    book.close();
  }
}

/** Rounds of: generate, SIGKILL at a random instant, resume — until `kills` kills landed mid-work. */
export async function crashTrial(o: CrashTrialOptions): Promise<CrashTrial> {
  const totals = {
    rounds: 0,
    kills: 0,
    runs: 0,
    submissions: 0,
    takesSubmitted: 0,
    duplicates: 0,
    lostFiles: 0,
    incomplete: 0,
    orphans: 0,
    integrity: [] as string[],
  };
  while (totals.kills < o.kills) {
    const dir = await mkdtemp(join(tmpdir(), "refrain-crash-"));
    const project = join(dir, "project");
    const bookPath = join(dir, "provider.db");
    totals.rounds++;
    try {
      for (;;) {
        const kill = totals.kills < o.kills ? o.random() * o.maxDelayMs : undefined;
        const args = [project, bookPath, String(o.jobs), String(o.slots ?? 4)];
        const r = await runChild(o.child, args, kill);
        totals.runs++;
        if (r.killed) totals.kills++;
        else break;
      }
      const c = await checkRound(project, bookPath, o.jobs);
      totals.submissions += c.submissions;
      totals.takesSubmitted += c.takesSubmitted;
      totals.duplicates += c.duplicates;
      totals.lostFiles += c.lostFiles;
      totals.incomplete += c.incomplete;
      totals.orphans += c.orphans;
      totals.integrity.push(integrityCheck(project));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  return totals;
}
