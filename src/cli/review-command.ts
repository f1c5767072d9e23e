// `refrain review`: serve the project's review page on 127.0.0.1 until interrupted.
import { resolve } from "node:path";
import type { Command } from "commander";
import { UserInputError } from "../errors/index.js";
import { startReviewServer } from "../server/index.js";
import type { Cli } from "./context.js";

export function registerReviewCommand(program: Command, cli: Cli): void {
  program
    .command("review")
    .description("open a local page to watch takes, pick, re-roll and render (127.0.0.1 only)")
    .option("--port <n>", "port to listen on (default: any free port)", (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0 || n > 65535)
        throw new UserInputError(`--port ${v}: expected a whole number from 0 to 65535`);
      return n;
    })
    .option("--no-open", "print the address without opening a browser")
    .action(async (o: { port?: number; open: boolean }) => {
      const dir = resolve(cli.cwd, program.opts<{ project?: string }>().project ?? ".");
      const server = await startReviewServer({
        projectDir: dir,
        port: o.port,
        tools: cli.tools,
        env: cli.env,
        open: o.open,
        log: (line) => cli.err(line),
      });
      cli.out(`review page: ${server.url}`);
      cli.err("press Ctrl-C to stop");
      // Serve until the CLI's signal fires (Ctrl-C), then close cleanly.
      await new Promise<void>((done) => {
        if (cli.signal.aborted) done();
        else cli.signal.addEventListener("abort", () => done(), { once: true });
      });
      await server.close();
    });
}
