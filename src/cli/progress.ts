// Progress on stderr: a bar on a terminal, a few plain lines otherwise (logs and CI stay readable).
import cliProgress from "cli-progress";
import type { Cli } from "./context.js";

export interface ProgressReporter {
  /** fraction in 0…1 */
  update(fraction: number, detail?: string): void;
  stop(): void;
}

export function progress(cli: Cli, label: string): ProgressReporter {
  if (cli.interactive) {
    const bar = new cliProgress.SingleBar(
      {
        format: `${label.padEnd(10)} {bar} {percentage}% {detail}`,
        hideCursor: true,
        stream: process.stderr,
        clearOnComplete: false,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(1000, 0, { detail: "" });
    return {
      update: (f, detail) =>
        bar.update(Math.round(Math.min(1, Math.max(0, f)) * 1000), { detail: detail ?? "" }),
      stop: () => bar.stop(),
    };
  }
  let lastTenth = -1;
  return {
    update(f, detail) {
      const tenth = Math.floor(Math.min(1, f) * 10);
      if (tenth > lastTenth) {
        lastTenth = tenth;
        if (cli.verbose || tenth === 10) cli.err(`${label}: ${tenth * 10}%${detail ? ` ${detail}` : ""}`);
      }
    },
    stop() {},
  };
}
