// A session: one open project with its store, tools and settings, shared by the pipeline's stages.
import { join } from "node:path";
import { config as loadDotenv } from "dotenv";
import { checkTools, type Tools } from "../media/index.js";
import { loadProject, type Project } from "../project/index.js";
import type { ClipSettings } from "../providers/index.js";
import { openSqliteStore, type Store } from "../store/index.js";

export interface SessionOptions {
  tools: Tools;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  onCommand?: (line: string) => void;
  /** Human progress and notes (stderr in the CLI). */
  log?: (line: string) => void;
  now?: () => number;
}

export interface Session {
  readonly project: Project;
  readonly store: Store;
  readonly tools: Tools;
  /** The process environment plus the project's `.env` (environment wins); keys are read from here only. */
  readonly env: NodeJS.ProcessEnv;
  readonly signal?: AbortSignal;
  readonly onCommand?: (line: string) => void;
  readonly log: (line: string) => void;
  readonly now: () => number;
  readonly clip: ClipSettings;
  /** Scratch space inside the project's store folder. */
  readonly workDir: string;
  close(): Promise<void>;
}

/** Reads the project's .env without touching process.env, so keys never leak into child processes by accident. */
function projectEnv(dir: string, base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const parsed: Record<string, string> = {};
  loadDotenv({ path: join(dir, ".env"), processEnv: parsed, quiet: true });
  return { ...parsed, ...base };
}

export async function openSession(projectDir: string, options: SessionOptions): Promise<Session> {
  const project = await loadProject(projectDir);
  checkTools(options.tools);
  const store = await openSqliteStore(project.dir);
  return {
    project,
    store,
    tools: options.tools,
    env: projectEnv(project.dir, options.env ?? process.env),
    signal: options.signal,
    onCommand: options.onCommand,
    log: options.log ?? (() => {}),
    now: options.now ?? Date.now,
    clip: project.config.clip as ClipSettings,
    workDir: join(project.dir, ".refrain", "work"),
    close: () => store.close(),
  };
}
