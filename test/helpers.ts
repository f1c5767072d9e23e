// What the CLI tests share: running `refrain` in-process, and the tiny song and image they start from.
import { join } from "node:path";
import { expect } from "vitest";
import { main } from "../src/cli/index.js";
import { findTools, runFfmpeg } from "../src/media/index.js";

export const tools = findTools();

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/** Runs `refrain <args>` in `cwd` as a user would, capturing what it prints; `env` replaces the environment. */
export async function run(args: string[], cwd: string, env?: NodeJS.ProcessEnv): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(["node", "refrain", ...args], {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    cwd,
    ...(env ? { env } : {}),
    interactive: false,
    signal: new AbortController().signal,
  });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

/** Bad input's promise: the exit code, one line matching `pattern`, and no stack trace. */
export function expectOneCleanLine(r: { code: number; err: string }, code: number, pattern: RegExp): void {
  expect(r.code).toBe(code);
  expect(r.err).toMatch(pattern);
  expect(r.err).not.toMatch(/\n\s+at /);
  expect(r.err.trim().split("\n")).toHaveLength(1);
}

/** A 64×64 red face.png in `dir`: an image the pipeline takes, with no face to find. */
export async function writeFace(dir: string): Promise<void> {
  await runFfmpeg(tools, [
    "-f",
    "lavfi",
    "-i",
    "color=c=red:s=64x64",
    "-frames:v",
    "1",
    join(dir, "face.png"),
  ]);
}

/** A 2-second sine as song.wav and a 64×64 red face.png in `dir`. */
export async function writeTinyInputs(dir: string): Promise<void> {
  await runFfmpeg(tools, ["-f", "lavfi", "-i", "sine=f=220:d=2", "-ar", "48000", join(dir, "song.wav")]);
  await writeFace(dir);
}
