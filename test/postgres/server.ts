// Stops and starts the test PostgreSQL that test/postgres/start.sh made, for database-restart tests.
import { execFile } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Whether the tests may restart the server: start.sh exported where it lives. */
export function canRestartServer(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.REFRAIN_PG_DIR && env.REFRAIN_PG_BIN);
}

async function pgCtl(action: "start" | "stop", env: NodeJS.ProcessEnv): Promise<void> {
  const dir = env.REFRAIN_PG_DIR!;
  const args = ["-D", join(dir, "data"), "-l", join(dir, "server.log"), "-w", "-t", "60"];
  if (action === "stop") args.push("-m", "fast");
  args.push(action);
  const pgctl = join(env.REFRAIN_PG_BIN!, "pg_ctl");
  // The server refuses to run as root: start.sh made the cluster for the postgres user then.
  const asRoot = process.getuid?.() === 0;
  await run(asRoot ? "runuser" : pgctl, asRoot ? ["-u", "postgres", "--", pgctl, ...args] : args);
}

/** Stops the server (fast: open connections are cut), keeps it down for `downMs`, starts it again. */
export async function restartServer(downMs: number, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  await pgCtl("stop", env);
  await new Promise((r) => setTimeout(r, downMs));
  await pgCtl("start", env);
}

/** A PostgreSQL of a test's own (start.sh), so restarting it cannot disturb other test files. */
export interface PrivateServer {
  readonly url: string;
  readonly env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

const scripts = join(dirname(fileURLToPath(import.meta.url)));

/** Whether this machine has PostgreSQL's server programs (Debian's postgresql package). */
export function hasServerBinaries(): boolean {
  return (
    existsSync("/usr/lib/postgresql") &&
    readdirSync("/usr/lib/postgresql").some((v) =>
      existsSync(join("/usr/lib/postgresql", v, "bin", "initdb")),
    )
  );
}

export async function startPrivateServer(): Promise<PrivateServer> {
  const { stdout } = await run(join(scripts, "start.sh"), [], { timeout: 60_000 });
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const m of stdout.matchAll(/^export (\w+)=(.*)$/gm)) env[m[1]!] = m[2]!;
  const url = env.REFRAIN_TEST_DATABASE_URL;
  if (!url) throw new Error(`start.sh printed no database URL:\n${stdout}`);
  return {
    url,
    env,
    stop: async () => {
      await run(join(scripts, "stop.sh"), [], { env, timeout: 60_000 });
    },
  };
}
