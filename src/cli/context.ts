// What every command gets: output streams, --verbose, the ffmpeg tools, the environment, a cancel signal.
import { findTools, type Tools } from "../media/index.js";

export interface Cli {
  readonly verbose: boolean;
  readonly tools: Tools;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly signal: AbortSignal;
  /** Results (human text or JSON) go to stdout. */
  out(text: string): void;
  /** Progress, warnings and errors go to stderr. */
  err(text: string): void;
  /** Prints a command line when --verbose, so it can be pasted and rerun. */
  onCommand?: (line: string) => void;
  /** Whether stderr is a terminal (progress bars only then). */
  readonly interactive: boolean;
}

export interface CliIo {
  stdout?: (text: string) => void;
  stderr?: (text: string) => void;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  signal?: AbortSignal;
  interactive?: boolean;
}

/**
 * A line writer for a process stream. When the reader goes away (`refrain takes | head`) the
 * stream fails with EPIPE: the command goes on quietly instead of crashing with a stack.
 */
export function lineWriter(stream: NodeJS.WritableStream): (text: string) => void {
  let closed = false;
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code !== "EPIPE") throw e;
    closed = true;
  });
  return (text) => {
    if (!closed) stream.write(`${text}\n`);
  };
}

/** One writer per process stream, so its EPIPE listener is added once however many CLIs run. */
const writers = new Map<NodeJS.WriteStream, (text: string) => void>();
function writerFor(stream: NodeJS.WriteStream): (text: string) => void {
  let w = writers.get(stream);
  if (!w) {
    w = lineWriter(stream);
    writers.set(stream, w);
  }
  return w;
}

export function makeCli(verbose: boolean, io: CliIo): Cli {
  const env = io.env ?? process.env;
  const err = io.stderr ?? writerFor(process.stderr);
  return {
    verbose,
    tools: findTools(env),
    env,
    cwd: io.cwd ?? process.cwd(),
    signal: io.signal ?? new AbortController().signal,
    out: io.stdout ?? writerFor(process.stdout),
    err,
    onCommand: verbose ? (line) => err(`$ ${line}`) : undefined,
    interactive: io.interactive ?? Boolean(process.stderr.isTTY),
  };
}
