// A second `refrain make` with nothing changed does no work: it says so and runs no ffmpeg at all.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../src/cli/index.js";
import { findTools, runFfmpeg } from "../src/media/index.js";

async function run(args: string[], cwd: string) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(["node", "refrain", ...args], {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    cwd,
    interactive: false,
    signal: new AbortController().signal,
  });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

const tools = findTools();
let dir: string;
let project: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "refrain-up-to-date-"));
  await runFfmpeg(tools, ["-f", "lavfi", "-i", "sine=f=220:d=2", "-ar", "48000", join(dir, "song.wav")]);
  await runFfmpeg(tools, [
    "-f",
    "lavfi",
    "-i",
    "color=c=red:s=64x64",
    "-frames:v",
    "1",
    join(dir, "face.png"),
  ]);
  project = join(dir, "p");
  expect((await run(["new", project, "--song", "song.wav", "--image", "face.png"], dir)).code).toBe(0);
  const yaml = await readFile(join(project, "refrain.yaml"), "utf8");
  await writeFile(join(project, "refrain.yaml"), yaml.replace(/resolution: \d+/, "resolution: 144"));
}, 30_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("refrain make twice", () => {
  it("the second run is up to date and runs no ffmpeg command", async () => {
    const first = await run(["make"], project);
    expect(first.code, first.err).toBe(0);
    const second = await run(["--verbose", "make"], project);
    expect(second.code).toBe(0);
    expect(second.out).toMatch(/everything is up to date/);
    expect(second.err.split("\n").filter((l) => l.startsWith("$ "))).toEqual([]);
  }, 60_000);
});
