// A session: one open project with its store, tools and settings, shared by the pipeline's stages.
import { basename, join, resolve } from "node:path";
import { config as loadDotenv } from "dotenv";
import { checkTools, type Tools } from "../media/index.js";
import { loadProject, type Project } from "../project/index.js";
import type { ClipSettings } from "../providers/index.js";
import { openPostgresStore, openSqliteStore, type Store } from "../store/index.js";

export interface SessionOptions {
  tools: Tools;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  onCommand?: (line: string) => void;
  /** Human progress and notes (stderr in the CLI). */
  log?: (line: string) => void;
  now?: () => number;
  /** With a team database, make takes in this process instead of queueing them for `refrain worker`s. */
  local?: boolean;
}

/** Where a team's project lives: the shared PostgreSQL and the media folder every worker mounts. */
export interface TeamSetting {
  /** REFRAIN_DATABASE_URL. */
  readonly url: string;
  /** The project's id in the database (its own schema there). */
  readonly projectId: string;
  /** REFRAIN_MEDIA_DIR, else the project's .refrain/media; absolute. */
  readonly mediaRoot: string;
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
  /** Set when the store is a team's PostgreSQL: takes then go to `refrain worker`s unless `local`. */
  readonly team?: TeamSetting;
  /** Make takes in this process even with a team database (`--local`). */
  readonly local?: boolean;
  close(): Promise<void>;
}

/** Reads the project's .env without touching process.env, so keys never leak into child processes by accident. */
function projectEnv(dir: string, base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const parsed: Record<string, string> = {};
  loadDotenv({ path: join(dir, ".env"), processEnv: parsed, quiet: true });
  return { ...parsed, ...base };
}

/**
 * The project's id in a team database: `project_id:` from refrain.yaml, else its title, else its
 * folder's name — lower-cased, every run of other characters than a-z 0-9 . _ - made one "-",
 * trimmed to 60 characters. Pure; it never depends on where the folder is mounted, so every
 * machine of the team finds the same project.
 */
export function projectIdFor(project: Pick<Project, "dir" | "config">): string {
  if (project.config.project_id) return project.config.project_id;
  const name = project.config.title ?? basename(project.dir);
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/^[-.]+|[-.]+$/g, "")
    .slice(0, 60);
  return slug || "project";
}

/** The team setting the environment asks for (REFRAIN_DATABASE_URL set), or undefined for SQLite. Pure. */
export function teamSetting(
  project: Pick<Project, "dir" | "config">,
  env: NodeJS.ProcessEnv,
): TeamSetting | undefined {
  const url = env.REFRAIN_DATABASE_URL?.trim();
  if (!url) return undefined;
  const media = env.REFRAIN_MEDIA_DIR?.trim();
  return {
    url,
    projectId: projectIdFor(project),
    mediaRoot: media ? resolve(project.dir, media) : join(project.dir, ".refrain", "media"),
  };
}

/** Reads a project folder's settings as a session would: its environment (with .env) and team setting. */
export async function projectStoreSetting(
  projectDir: string,
  base: NodeJS.ProcessEnv,
): Promise<{ project: Project; team?: TeamSetting }> {
  const project = await loadProject(projectDir);
  return { project, team: teamSetting(project, projectEnv(project.dir, base)) };
}

export async function openSession(projectDir: string, options: SessionOptions): Promise<Session> {
  const project = await loadProject(projectDir);
  checkTools(options.tools);
  const env = projectEnv(project.dir, options.env ?? process.env);
  const team = teamSetting(project, env);
  const store = team
    ? await openPostgresStore(team.url, { projectId: team.projectId, mediaRoot: team.mediaRoot })
    : openSqliteStore(project.dir);
  return {
    project,
    store,
    tools: options.tools,
    env,
    signal: options.signal,
    onCommand: options.onCommand,
    log: options.log ?? (() => {}),
    now: options.now ?? Date.now,
    clip: project.config.clip as ClipSettings,
    workDir: join(project.dir, ".refrain", "work"),
    team,
    local: options.local,
    close: () => store.close(),
  };
}
