// Spawning ffmpeg and ffprobe: progress, cancellation, and errors that carry the stderr tail.
import { spawn } from "node:child_process";
import { Cancelled, MediaError } from "../errors/index.js";
import type { Tools } from "./tools.js";

export interface RunOptions {
  signal?: AbortSignal;
  /** Called with each progress report of `-progress pipe:1`. */
  onProgress?: (p: Progress) => void;
  /** Called with the exact command line before it runs (for --verbose). */
  onCommand?: (commandLine: string) => void;
  /** Collect stdout as bytes (decoding PCM, probing). */
  captureStdout?: boolean;
  /** Bytes to write to the tool's stdin (raw pixels or samples read with `-i pipe:0`). */
  stdin?: Uint8Array;
}

export interface Progress {
  /** Microseconds of output written so far. */
  outTimeUs: number;
  frame: number;
  speed: number | null;
  done: boolean;
}

export interface RunResult {
  stdout: Buffer;
  stderr: string;
}

const STDERR_TAIL = 4000;

/** Quotes one argument for a POSIX shell, so a printed command can be pasted and rerun. */
export function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;
}

export function commandLine(cmd: string, args: readonly string[]): string {
  return [cmd, ...args].map(shellQuote).join(" ");
}

/**
 * Parses one block of `-progress` output (key=value lines ending in progress=continue|end).
 * Returns null until a block is complete.
 */
export function parseProgressBlock(block: string): Progress | null {
  const fields = new Map<string, string>();
  for (const line of block.split("\n")) {
    const i = line.indexOf("=");
    if (i > 0) fields.set(line.slice(0, i).trim(), line.slice(i + 1).trim());
  }
  const state = fields.get("progress");
  if (!state) return null;
  const us = Number(fields.get("out_time_us") ?? fields.get("out_time_ms") ?? Number.NaN);
  const speed = Number.parseFloat(fields.get("speed") ?? "");
  return {
    outTimeUs: Number.isFinite(us) ? Math.max(0, us) : 0,
    frame: Number(fields.get("frame") ?? 0) || 0,
    speed: Number.isFinite(speed) ? speed : null,
    done: state === "end",
  };
}

/** Runs a tool to completion. Rejects with MediaError (stderr tail attached) or Cancelled. */
export function runTool(cmd: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const { signal, onProgress, onCommand, captureStdout, stdin } = options;
  onCommand?.(commandLine(cmd, args));
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new Cancelled("cancelled before ffmpeg started", { cause: signal.reason }));
      return;
    }
    const child = spawn(cmd, args, { stdio: [stdin ? "pipe" : "ignore", "pipe", "pipe"] });
    if (stdin && child.stdin) {
      // A tool that exits early closes the pipe; its exit status tells what went wrong, not EPIPE.
      child.stdin.on("error", () => {});
      child.stdin.end(stdin);
    }
    const out: Buffer[] = [];
    let stderr = "";
    let progressBuffer = "";
    let aborted = false;
    const onAbort = () => {
      aborted = true;
      child.kill("SIGTERM");
      // ffmpeg normally exits on SIGTERM at once; make sure a stuck one does not linger.
      setTimeout(() => child.kill("SIGKILL"), 2000).unref();
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    child.stdout?.on("data", (chunk: Buffer) => {
      if (captureStdout) {
        out.push(chunk);
        return;
      }
      if (!onProgress) return;
      progressBuffer += chunk.toString("utf8");
      let end = progressBuffer.search(/progress=(continue|end)\n/);
      while (end >= 0) {
        const stop = progressBuffer.indexOf("\n", end) + 1;
        const p = parseProgressBlock(progressBuffer.slice(0, stop));
        progressBuffer = progressBuffer.slice(stop);
        if (p) onProgress(p);
        end = progressBuffer.search(/progress=(continue|end)\n/);
      }
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
      if (stderr.length > 4 * STDERR_TAIL) stderr = stderr.slice(-2 * STDERR_TAIL);
    });
    child.on("error", (e: NodeJS.ErrnoException) => {
      signal?.removeEventListener("abort", onAbort);
      reject(
        new MediaError(`cannot run ${cmd}: ${e.code ?? e.message}`, {
          cause: e,
          command: commandLine(cmd, args),
        }),
      );
    });
    child.on("close", (code, sig) => {
      signal?.removeEventListener("abort", onAbort);
      if (aborted) {
        reject(new Cancelled(`${cmd} was cancelled`, { cause: signal?.reason }));
        return;
      }
      if (code === 0) {
        resolve({ stdout: Buffer.concat(out), stderr });
        return;
      }
      const tail = stderr.slice(-STDERR_TAIL).trim();
      const lastLine = tail.split("\n").filter(Boolean).pop() ?? "";
      reject(
        new MediaError(`${cmd.split("/").pop()} failed (${sig ?? `exit ${code}`}): ${lastLine}`, {
          command: commandLine(cmd, args),
          stderrTail: tail,
          exitStatus: code,
        }),
      );
    });
  });
}

/** Runs ffmpeg with refrain's standard flags (quiet, progress on stdout, overwrite). */
export function runFfmpeg(
  tools: Tools,
  args: readonly string[],
  options: RunOptions = {},
): Promise<RunResult> {
  const base = ["-hide_banner", ...(options.stdin ? [] : ["-nostdin"]), "-loglevel", "error", "-y"];
  const progress = options.onProgress && !options.captureStdout ? ["-progress", "pipe:1", "-nostats"] : [];
  return runTool(tools.ffmpeg, [...base, ...progress, ...args], options);
}
