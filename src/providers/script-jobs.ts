// Clip jobs run by a local script (Wan2GP's wgp.py, InfiniteTalk's generate_infinitetalk.py): a queue, a process group per job, exit codes as states.
//
// One GPU runs one job at a time, so jobs wait in a FIFO queue (concurrency 1 by default). Each job
// has a folder named from its client token under the provider's work folder; the finished video is
// kept there as take.mp4, so a job submitted before a restart is still found (and never run twice)
// by `poll` and `lookup`. Each process runs in its own process group: cancelling interrupts the
// whole group (SIGINT, as Ctrl-C does), then kills it if it has not exited after a grace period.
import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { copyFile, mkdir, readdir, rename, stat } from "node:fs/promises";
import { join } from "node:path";
import { ProviderError, throwIfAborted } from "../errors/index.js";
import { withTempOutput } from "../files/index.js";
import { commandLine } from "../media/index.js";
import type { FoundJob, JobState, JobStatus, Submitted } from "./clip.js";

/** One run of a script: the command, where, and where its video lands. */
export interface ScriptRun {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Folder the script writes its video into; the newest video file there is the take. */
  readonly outputDir: string;
}

export interface ScriptJobsOptions {
  /** Provider kind, the prefix of every error ("wan2gp: …"). */
  readonly provider: string;
  /** Folder holding one subfolder per job. */
  readonly workDir: string;
  /** Jobs run at once (default 1: one GPU). */
  readonly concurrency?: number;
  /** How long an interrupted process may take to exit before its group is killed (default 5 s). */
  readonly killGraceMs?: number;
  /** The reason for a failure, read from the output's tail, when the generic reading is not enough. */
  readonly explain?: (tail: string, exitCode: number | null) => string | undefined;
  readonly onCommand?: (line: string) => void;
}

/** Prepares a job's inputs in `dir` and says what to run. */
export type PrepareRun = (dir: string, signal?: AbortSignal) => Promise<ScriptRun>;

interface Job {
  readonly id: string;
  readonly dir: string;
  state: JobState;
  reason?: string;
  child?: ChildProcess;
  cancelRequested: boolean;
  tail: string;
  prepare: PrepareRun;
}

const TAIL = 4000;
const VIDEO = /\.(mp4|mkv|mov|webm)$/i;

/** The last line of a process's output that says something (skipping blank and progress lines). Pure. */
export function lastMeaningfulLine(tail: string): string {
  const lines = tail
    .split(/[\r\n]+/)
    .map((l) => l.trim())
    .filter((l) => l && !/^\d+%|it\/s\]$/.test(l));
  return lines.pop() ?? "";
}

/**
 * What an exit means, by the convention Wan2GP documents and Python follows: 0 done, 1 failed,
 * 130 interrupted (Ctrl-C / SIGINT). A process we interrupted ends cancelled whatever it returns. Pure.
 */
export function stateFromExit(
  code: number | null,
  signal: NodeJS.Signals | null,
  cancelRequested: boolean,
): { state: JobState; reason?: string } {
  if (cancelRequested) return { state: "cancelled" };
  if (code === 0) return { state: "succeeded" };
  if (code === 130 || signal === "SIGINT") return { state: "failed", reason: "interrupted (exit 130)" };
  if (signal) return { state: "failed", reason: `killed by ${signal}` };
  return { state: "failed", reason: `exit ${code}` };
}

export function jobDirName(token: string): string {
  return createHash("sha256").update(token).digest("hex").slice(0, 24);
}

export class ScriptJobs {
  private readonly jobs = new Map<string, Job>();
  private readonly waiting: Job[] = [];
  private running = 0;
  private readonly concurrency: number;
  private closed = false;

  constructor(private readonly options: ScriptJobsOptions) {
    this.concurrency = Math.max(1, Math.floor(options.concurrency ?? 1));
  }

  get provider(): string {
    return this.options.provider;
  }

  private error(message: string, opts: { transient?: boolean; hint?: string; cause?: unknown } = {}) {
    return new ProviderError(this.options.provider, message, opts);
  }

  private dirOf(id: string): string {
    return join(this.options.workDir, jobDirName(id));
  }

  private takeOf(id: string): string {
    return join(this.dirOf(id), "take.mp4");
  }

  /** Queues a job under its token; submitting a token again returns the same job (never a second run). */
  async submit(token: string, prepare: PrepareRun, signal?: AbortSignal): Promise<Submitted> {
    throwIfAborted(signal);
    if (this.closed) throw this.error("the provider is closed");
    const known = this.jobs.get(token);
    if (known && known.state !== "failed" && known.state !== "cancelled") return { remoteId: token };
    if (existsSync(this.takeOf(token))) return { remoteId: token };
    const dir = this.dirOf(token);
    await mkdir(dir, { recursive: true });
    const job: Job = { id: token, dir, state: "queued", cancelRequested: false, tail: "", prepare };
    this.jobs.set(token, job);
    this.waiting.push(job);
    this.pump();
    return { remoteId: token };
  }

  private pump(): void {
    while (this.running < this.concurrency && this.waiting.length > 0) {
      const job = this.waiting.shift()!;
      if (job.state !== "queued") continue;
      this.running++;
      this.run(job)
        .catch((e: unknown) => {
          job.state = job.cancelRequested ? "cancelled" : "failed";
          job.reason =
            e instanceof Error ? ((e as { shortMessage?: string }).shortMessage ?? e.message) : String(e);
        })
        .finally(() => {
          this.running--;
          this.pump();
        });
    }
  }

  private async run(job: Job): Promise<void> {
    const spec = await job.prepare(job.dir);
    if (job.cancelRequested) {
      job.state = "cancelled";
      return;
    }
    await mkdir(spec.outputDir, { recursive: true });
    const startedAt = Date.now();
    this.options.onCommand?.(commandLine(spec.command, spec.args));
    const child = spawn(spec.command, [...spec.args], {
      cwd: spec.cwd,
      env: spec.env ?? process.env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    job.child = child;
    job.state = "running";
    const keep = (chunk: Buffer) => {
      job.tail = (job.tail + chunk.toString("utf8")).slice(-TAIL);
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
      (resolve) => {
        child.once("error", (e: NodeJS.ErrnoException) => {
          job.tail += `\ncannot run ${spec.command}: ${e.code ?? e.message}`;
          resolve({ code: -1, signal: null });
        });
        child.once("close", (c, s) => resolve({ code: c, signal: s }));
      },
    );
    job.child = undefined;
    const outcome = stateFromExit(code, signal, job.cancelRequested);
    if (outcome.state === "succeeded") {
      const video = await newestVideo(spec.outputDir, startedAt);
      if (!video) {
        job.state = "failed";
        job.reason = `${spec.command} exited 0 but wrote no video in ${spec.outputDir}`;
        return;
      }
      await rename(video, this.takeOf(job.id)).catch(() => copyFile(video, this.takeOf(job.id)));
      job.state = "succeeded";
      return;
    }
    job.state = outcome.state;
    if (outcome.state === "failed") {
      const said = this.options.explain?.(job.tail, code) ?? lastMeaningfulLine(job.tail);
      job.reason = said ? `${outcome.reason}: ${said}` : outcome.reason;
    }
  }

  async poll(id: string, signal?: AbortSignal): Promise<JobStatus> {
    throwIfAborted(signal);
    const job = this.jobs.get(id);
    if (job) {
      return job.reason === undefined ? { state: job.state } : { state: job.state, reason: job.reason };
    }
    if (existsSync(this.takeOf(id))) return { state: "succeeded", progress: 1 };
    throw this.error(`no job ${id} (never submitted here, or its folder was removed)`);
  }

  async lookup(token: string, signal?: AbortSignal): Promise<FoundJob | null> {
    throwIfAborted(signal);
    if (!this.jobs.has(token) && !existsSync(this.takeOf(token))) return null;
    return { remoteId: token, status: await this.poll(token) };
  }

  async fetch(id: string, dest: string, signal?: AbortSignal): Promise<void> {
    throwIfAborted(signal);
    const status = await this.poll(id, signal);
    if (status.state !== "succeeded") {
      throw this.error(
        `job ${id} has no video: it is ${status.state}${status.reason ? ` (${status.reason})` : ""}`,
      );
    }
    await withTempOutput(dest, async (tmp) => {
      await copyFile(this.takeOf(id), tmp);
      throwIfAborted(signal);
    });
  }

  /** Interrupts the job's whole process group; kills it if it is still there after the grace period. */
  async cancel(id: string): Promise<void> {
    const job = this.jobs.get(id);
    if (!job || job.state === "succeeded" || job.state === "failed" || job.state === "cancelled") return;
    job.cancelRequested = true;
    if (job.state === "queued") {
      job.state = "cancelled";
      return;
    }
    const child = job.child;
    if (!child?.pid) return;
    const pid = child.pid;
    signalGroup(pid, "SIGINT");
    const timer = setTimeout(() => signalGroup(pid, "SIGKILL"), this.options.killGraceMs ?? 5000);
    timer.unref();
    child.once("close", () => {
      clearTimeout(timer);
      // Whatever the script left behind (a stuck ffmpeg, a worker) goes with it.
      signalGroup(pid, "SIGKILL");
    });
  }

  /** The process-group id of a running job (tests check the whole group is gone after cancel). */
  processGroup(id: string): number | undefined {
    return this.jobs.get(id)?.child?.pid;
  }

  async close(): Promise<void> {
    this.closed = true;
    const waits: Promise<void>[] = [];
    for (const job of this.jobs.values()) {
      if (job.state === "running" || job.state === "queued") {
        const child = job.child;
        if (child && child.exitCode === null) {
          waits.push(new Promise((r) => child.once("close", () => r())));
        }
        await this.cancel(job.id);
      }
    }
    await Promise.race([Promise.all(waits), new Promise((r) => setTimeout(r, 10_000).unref())]);
  }
}

function signalGroup(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig);
  } catch {
    // Already gone.
  }
}

/** The newest video file in `dir` written since `since` (ms), or null. */
async function newestVideo(dir: string, since: number): Promise<string | null> {
  let best: { path: string; mtime: number } | null = null;
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (!VIDEO.test(name)) continue;
    const path = join(dir, name);
    const s = await stat(path).catch(() => null);
    if (!s?.isFile() || s.mtimeMs < since - 1000) continue;
    if (!best || s.mtimeMs > best.mtime) best = { path, mtime: s.mtimeMs };
  }
  return best?.path ?? null;
}
