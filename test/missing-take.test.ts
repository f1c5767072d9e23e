// A take's video deleted from .refrain/media before the render: one line naming the segment and take and what to do.
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run, writeTinyInputs } from "./helpers.js";

let dir: string;
let project: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "refrain-missing-take-"));
  await writeTinyInputs(dir);
  project = join(dir, "p");
  expect((await run(["new", project, "--song", "song.wav", "--image", "face.png"], dir)).code).toBe(0);
  const yaml = await readFile(join(project, "refrain.yaml"), "utf8");
  await writeFile(join(project, "refrain.yaml"), yaml.replace(/resolution: \d+/, "resolution: 144"));
  const generated = await run(["generate"], project);
  expect(generated.code, generated.err).toBe(0);
}, 60_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("a picked take whose video is gone", () => {
  it("stops the render with one line and leaves no output file", async () => {
    const media = join(project, ".refrain", "media");
    for (const sub of await readdir(media))
      for (const f of await readdir(join(media, sub))) await rm(join(media, sub, f));

    const r = await run(["render"], project);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /^refrain: segment 0: the video of take [0-9a-f-]+ is gone from .*media — .*refrain reroll 0/,
    );
    expect(r.err.trim().split("\n")).toHaveLength(1);
    expect(await readdir(join(project, "out")).catch(() => [])).toEqual([]);
  }, 30_000);
});
