// `refrain worker`: make queued takes from the shared PostgreSQL (REFRAIN_DATABASE_URL) until Ctrl-C or SIGTERM.
import type { Command } from "commander";
import { UserInputError } from "../errors/index.js";
import { redactUrl } from "../store/index.js";
import { startWorker, type WorkerEvent } from "../worker/index.js";
import type { Cli } from "./context.js";

function describe(e: WorkerEvent): string | undefined {
  switch (e.type) {
    case "started":
      return `worker: waiting for takes (${e.concurrency} at a time)`;
    case "job":
      return `take job ${e.jobId}: project ${e.projectId}, segment ${e.segment}`;
    case "done":
      return `take job ${e.jobId}: segment ${e.result.segment} ${e.result.outcome}${e.result.reason ? ` (${e.result.reason})` : ""}`;
    case "returned":
      return `take job ${e.jobId}: handed back to the queue (${e.reason})`;
    case "database-lost":
      return `database unreachable (${e.reason}); waiting for it`;
    case "database-back":
      return "database reachable again; resuming";
    case "stopped":
      return "worker stopped";
    case "engine":
      return undefined;
  }
}

export function registerWorkerCommand(program: Command, cli: Cli): void {
  program
    .command("worker")
    .description(
      "make queued takes from the shared PostgreSQL job queue (REFRAIN_DATABASE_URL) until stopped",
    )
    .option("--concurrency <n>", "takes to make at once (default 1)", (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1 || n > 64)
        throw new UserInputError(`--concurrency ${v}: expected a whole number from 1 to 64`);
      return n;
    })
    .action(async (o: { concurrency?: number }) => {
      const url = cli.env.REFRAIN_DATABASE_URL;
      if (!url)
        throw new UserInputError("REFRAIN_DATABASE_URL is not set", {
          hint: "set it to the team's PostgreSQL, e.g. postgres://user:pass@db.example:5432/refrain",
        });
      const worker = await startWorker({
        url,
        concurrency: o.concurrency ?? 1,
        env: cli.env,
        onEvent: (e) => {
          const line = describe(e);
          if (line) cli.err(line);
        },
      });
      cli.err(`worker: connected to ${redactUrl(url)}; Ctrl-C stops after handing running takes back`);
      // SIGINT and SIGTERM both reach the CLI's signal; SIGTERM is added here for service managers.
      const onTerm = () => void worker.stop();
      process.once("SIGTERM", onTerm);
      try {
        if (cli.signal.aborted) await worker.stop();
        else cli.signal.addEventListener("abort", () => void worker.stop(), { once: true });
        await worker.stopped;
      } finally {
        process.off("SIGTERM", onTerm);
      }
    });
}
