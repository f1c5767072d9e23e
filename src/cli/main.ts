// The refrain command line: commander commands over the library, one error handler, documented exit codes.
import { Command, CommanderError, Option } from "commander";
import { ExitCode, isRefrainError, MediaError } from "../errors/index.js";
import { registerCommands } from "./commands.js";
import { type Cli, type CliIo, makeCli } from "./context.js";

export const VERSION = "0.1.0";

function formatError(e: unknown, verbose: boolean): string {
  if (isRefrainError(e)) {
    const lines = [`refrain: ${e.shortMessage}`];
    if (verbose) {
      if (e instanceof MediaError && e.command) lines.push(`command: ${e.command}`);
      if (e instanceof MediaError && e.stderrTail) lines.push(e.stderrTail);
      if (e.stack) lines.push(e.stack);
    }
    return lines.join("\n");
  }
  const message = e instanceof Error ? e.message : String(e);
  return verbose && e instanceof Error && e.stack
    ? `refrain: unexpected error: ${e.stack}`
    : `refrain: unexpected error: ${message} (run again with --verbose for details, and please report it)`;
}

export function exitCodeOf(e: unknown): number {
  if (isRefrainError(e)) return e.exitCode;
  return ExitCode.unexpected;
}

/** Runs the CLI with `argv` (as process.argv). Returns the exit code; never throws. */
export async function main(argv: readonly string[], io: CliIo = {}): Promise<number> {
  const verbose = argv.includes("--verbose") || argv.includes("-v");
  const controller = new AbortController();
  if (io.signal)
    io.signal.addEventListener("abort", () => controller.abort(io.signal?.reason), { once: true });
  const cli: Cli = makeCli(verbose, { ...io, signal: controller.signal });
  const program = new Command("refrain")
    .description("Turn a song and one image into a music video with audio-driven AI video models.")
    .version(VERSION)
    .addOption(new Option("-v, --verbose", "print each ffmpeg command and full errors"))
    .addOption(new Option("-C, --project <dir>", "the project folder (default: the current folder)"))
    .showHelpAfterError("(run refrain --help for usage)")
    .exitOverride()
    .configureOutput({ writeOut: (s) => cli.out(s.trimEnd()), writeErr: (s) => cli.err(s.trimEnd()) });
  registerCommands(program, cli);

  // Ctrl-C: stop cleanly once (the engine reports running remote jobs); twice: exit at once.
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts === 1) {
      cli.err("refrain: stopping… (press Ctrl-C again to quit at once)");
      controller.abort(new Error("interrupted"));
    } else process.exit(ExitCode.interrupted);
  };
  const installSignals = !io.signal;
  if (installSignals) process.on("SIGINT", onSigint);
  try {
    await program.parseAsync([...argv]);
    return ExitCode.ok;
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.exitCode === 0 ? ExitCode.ok : ExitCode.badInput;
    }
    cli.err(formatError(e, verbose));
    return exitCodeOf(e);
  } finally {
    if (installSignals) process.off("SIGINT", onSigint);
  }
}
