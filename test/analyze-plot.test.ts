// `refrain analyze SONG --plot`: the picture is written with its verdict, and a bad --provider fails before any work.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { probeImage, runFfmpeg } from "../src/media/index.js";
import { expectOneCleanLine, run, tools } from "./helpers.js";

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "refrain-plot-ok-"));
  await runFfmpeg(tools, ["-f", "lavfi", "-i", "sine=f=220:d=12", "-ar", "48000", join(dir, "song.wav")]);
  // Two sung lines with word times, a pause between them.
  await writeFile(
    join(dir, "song.lrc"),
    "[00:01.00]<00:01.00>la <00:01.80>la <00:02.60>la<00:03.40>\n" +
      "[00:06.00]<00:06.00>你<00:06.80>好<00:07.60>吗<00:08.40>\n",
  );
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("analyze --plot", () => {
  it("writes a 1600 px picture and says its verdict on the last line", async () => {
    const r = await run(
      ["analyze", "song.wav", "--lyrics", "song.lrc", "--plot", "plot.png", "--provider", "infinitetalk"],
      dir,
    );
    expect(r.code).toBe(0);
    expect(r.err.trim().split("\n").at(-1)).toMatch(/wrote .*plot\.png — no cut inside a sung word/);
    const image = await probeImage(tools, join(dir, "plot.png"));
    expect(image.video?.width).toBe(1600);
  });

  it("an unknown --provider is one line, exit 2, before the song is analysed", async () => {
    const r = await run(["analyze", "song.wav", "--plot", "x.png", "--provider", "nope"], dir);
    expectOneCleanLine(r, 2, /--provider: unknown provider "nope" — choose one of .*infinitetalk/);
    expect(r.out).toBe("");
  });
});
