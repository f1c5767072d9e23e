// A second `refrain make` with nothing changed does no work: it says so and runs no ffmpeg at all.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run, writeTinyInputs } from "./helpers.js";

let dir: string;
let project: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "refrain-up-to-date-"));
  await writeTinyInputs(dir);
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
