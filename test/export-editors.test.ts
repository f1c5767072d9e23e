// `refrain export kdenlive` hands an editor the same video: melt renders it to refrain's length, lyrics included.
import { access, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countFrames, runTool } from "../src/media/index.js";
import { run, tools, writeTinyInputs } from "./helpers.js";

let dir: string;
let project: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "refrain-export-editors-"));
  await writeTinyInputs(dir);
  await writeFile(join(dir, "song.lrc"), "[00:00.20]hold the light\n[00:01.10]歌声 longer\n");
  project = join(dir, "p");
  const made = await run(
    ["new", project, "--song", "song.wav", "--image", "face.png", "--lyrics", "song.lrc"],
    dir,
  );
  expect(made.code, made.err).toBe(0);
  const yaml = await readFile(join(project, "refrain.yaml"), "utf8");
  await writeFile(join(project, "refrain.yaml"), yaml.replace(/resolution: \d+/, "resolution: 144"));
  const make = await run(["make"], project);
  expect(make.code, make.err).toBe(0);
}, 60_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("refrain export kdenlive", () => {
  it("writes the project and its karaoke subtitles beside it, and melt renders it to refrain's length", async () => {
    const r = await run(["export", "kdenlive", "--out", "edit/video.kdenlive"], project);
    expect(r.code, r.err).toBe(0);
    const kdenlive = join(project, "edit", "video.kdenlive");
    const ass = `${kdenlive}.ass`;
    await access(ass);
    expect(await readFile(ass, "utf8")).toMatch(/hold.*the.*light/);
    const xml = await readFile(kdenlive, "utf8");
    expect(xml).toContain("avfilter.subtitles");
    expect(xml).toContain(`<property name="av.filename">${ass}</property>`);

    const rendered = join(dir, "melt.mp4");
    await runTool(
      "melt",
      ["-quiet", kdenlive, "-consumer", `avformat:${rendered}`, "vcodec=libx264", "preset=ultrafast"],
      {
        signal: AbortSignal.timeout(60_000),
      },
    );
    const own = await countFrames(tools, join(project, "out", "p.mp4"));
    expect(Math.abs((await countFrames(tools, rendered)) - own)).toBeLessThanOrEqual(1);
  }, 90_000);
});
