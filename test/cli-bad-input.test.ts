// What a user sees when they give refrain bad input: one line naming the file, a non-zero exit, no stack, no partial output.
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runFfmpeg } from "../src/media/index.js";
import { expectOneCleanLine, run, tools, writeFace, writeTinyInputs } from "./helpers.js";

let dir: string;
/** Every folder a test makes, removed at the end so runs do not pile up in the temp folder. */
const made: string[] = [];
async function tempDir(prefix: string): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), prefix));
  made.push(d);
  return d;
}

afterAll(async () => {
  for (const d of made) await rm(d, { recursive: true, force: true });
});

beforeAll(async () => {
  dir = await tempDir("refrain-bad-");
  await writeFile(join(dir, "notes.mp3"), "these are my lyrics, not audio\n");
  await writeFile(join(dir, "empty.wav"), "");
  await runFfmpeg(tools, ["-f", "lavfi", "-i", "sine=f=220:d=1.5", join(dir, "short.wav")]);
  await runFfmpeg(tools, ["-f", "lavfi", "-i", "anullsrc=d=4", join(dir, "silent.wav")]);
  await writeFace(dir);
  await runFfmpeg(tools, [
    "-f",
    "lavfi",
    "-i",
    "sine=f=330:d=2",
    "-c:a",
    "pcm_s16le",
    "-f",
    "wav",
    join(dir, "truncated.wav"),
  ]);
  // Cut the WAV short of its header's length, as an interrupted download would.
  const { readFile } = await import("node:fs/promises");
  const bytes = await readFile(join(dir, "truncated.wav"));
  await writeFile(join(dir, "truncated.wav"), bytes.subarray(0, 30));
});

describe("bad input on the command line", () => {
  it("a missing song names the file", async () => {
    expectOneCleanLine(await run(["analyze", "nope.mp3"], dir), 2, /song .*nope\.mp3: no such file/);
  });

  it("a text file named .mp3 is not taken for audio", async () => {
    expectOneCleanLine(await run(["analyze", "notes.mp3"], dir), 2, /notes\.mp3 is not a media file/);
  });

  it("an empty file says it is empty", async () => {
    expectOneCleanLine(await run(["analyze", "empty.wav"], dir), 2, /empty\.wav is empty/);
  });

  it("a truncated file is reported, not crashed on", async () => {
    const r = await run(["analyze", "truncated.wav"], dir);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/truncated\.wav/);
  });

  it("silent audio is an error that says so", async () => {
    expectOneCleanLine(await run(["analyze", "silent.wav"], dir), 2, /silent/);
  });

  it("a song shorter than one clip says how long each is", async () => {
    const r = await run(["plan", "short.wav", "--provider", "infinitetalk"], dir);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/shorter than one clip/);
  });

  it("an unknown option is a usage error with exit code 2", async () => {
    const r = await run(["plan", "--frobnicate"], dir);
    expect(r.code).toBe(2);
  });

  it("a YAML error in the project names file:line:column", async () => {
    const p = await tempDir("refrain-yaml-");
    await writeFile(join(p, "refrain.yaml"), "version: 1\nsong: [oops\nimage: x.png\n");
    const r = await run(["make"], p);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/refrain\.yaml:\d+:\d+: YAML error/);
    expect(await readdir(p)).toEqual(["refrain.yaml"]);
  });

  it("a misspelt clip provider names refrain.yaml:line:column like any other error in it", async () => {
    const p = await tempDir("refrain-provider-");
    await writeTinyInputs(p);
    const yaml = "version: 1\nsong: song.wav\nimage: face.png\nclip:\n  seed: 1\n  provider: lcoal\n";
    await writeFile(join(p, "refrain.yaml"), yaml);
    for (const args of [["make"], ["plan"], ["takes"]]) {
      const r = await run(args, p);
      expectOneCleanLine(
        r,
        2,
        /refrain\.yaml:6:13: clip\.provider: unknown provider "lcoal" — choose one of .*local/,
      );
    }
    // Found before the store is opened: nothing is left in the project.
    expect((await readdir(p)).sort()).toEqual(["face.png", "refrain.yaml", "song.wav"]);
  });

  it("make outside a project tells the user how to start one", async () => {
    const p = await tempDir("refrain-none-");
    expectOneCleanLine(await run(["make"], p), 2, /no refrain\.yaml in .*refrain new/);
  });

  it("an image that is not an image is refused when the project is made", async () => {
    const p = await tempDir("refrain-img-");
    const r = await run(
      ["new", join(p, "proj"), "--song", join(dir, "short.wav"), "--image", join(dir, "notes.mp3")],
      p,
    );
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/image .*notes\.mp3/);
  });

  it("an export to a folder nothing can be written in names the file, exit 2", async () => {
    const p = await tempDir("refrain-export-");
    await writeTinyInputs(p);
    await writeFile(join(p, "song.lrc"), "[00:00.20]la la\n");
    expect(
      (await run(["new", "proj", "--song", "song.wav", "--image", "face.png", "--lyrics", "song.lrc"], p))
        .code,
    ).toBe(0);
    for (const [format, ext] of [
      ["srt", "srt"],
      ["editlist", "csv"],
    ] as const) {
      const r = await run(["-C", join(p, "proj"), "export", format, "--out", `/proc/x.${ext}`], p);
      expect(r.code).toBe(2);
      // The analysis may warn first (a sine has no steady beat); the error itself is the one last line.
      expect(r.err.trim().split("\n").at(-1)).toMatch(new RegExp(`cannot write /proc/x\\.${ext}`));
      expect(r.err).not.toMatch(/\n\s+at /);
    }
  });

  it("a plot to a folder nothing can be written in names it, exit 2, before the song is analysed", async () => {
    const p = await tempDir("refrain-plot-");
    await writeTinyInputs(p);
    const r = await run(["analyze", "song.wav", "--plot", "/proc/x.png"], p);
    // One line and nothing else: the analysis (which would warn of a sine's missing beat) never ran.
    expectOneCleanLine(r, 2, /cannot write the plot to \/proc/);
    expect(r.out).toBe("");
  });

  it("a demo to a folder nothing can be written in fails before anything is made", async () => {
    const p = await tempDir("refrain-demo-out-");
    const r = await run(["demo", "--out", "/proc/x.mp4", "--keep", join(p, "kept")], p);
    expectOneCleanLine(r, 2, /cannot write the video to \/proc/);
    expect(await readdir(p)).toEqual([]);
  });

  it("--verbose adds the stack", async () => {
    const r = await run(["--verbose", "analyze", "nope.mp3"], dir);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/\n\s+at /);
  });
});
