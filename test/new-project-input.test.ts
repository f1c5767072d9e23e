// Bad files met when a user starts a project or edits refrain.yaml: one line naming the file, what is wrong and what to do.
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectOneCleanLine, run, writeTinyInputs } from "./helpers.js";

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "refrain-new-input-"));
  await writeTinyInputs(dir);
  // A download cut off just after the WAV header: ffprobe sees an audio stream of a few samples.
  const wav = await readFile(join(dir, "song.wav"));
  await writeFile(join(dir, "cut.wav"), wav.subarray(0, 100));
  await writeFile(join(dir, "notes.mp3"), "these are my lyrics, not audio\n");
  await mkdir(join(dir, "album.mp3"));
}, 20_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("refrain new", () => {
  it("refuses a song cut off after its header, naming it, and creates no folder", async () => {
    const r = await run(["new", "p1", "--song", "cut.wav", "--image", "face.png"], dir);
    expectOneCleanLine(r, 2, /song .*cut\.wav holds almost no sound .*export it again/);
    expect(await readdir(dir)).not.toContain("p1");
  });

  it("says what to give instead of a folder or a text file", async () => {
    expectOneCleanLine(
      await run(["new", "p2", "--song", "album.mp3", "--image", "face.png"], dir),
      2,
      /song .*album\.mp3 is not a file — give the file itself/,
    );
    expectOneCleanLine(
      await run(["new", "p3", "--song", "notes.mp3", "--image", "face.png"], dir),
      2,
      /song .*notes\.mp3 is not a media file ffmpeg can read — give an audio file/,
    );
  });

  it("prints a next step that can be pasted into a shell when the name has spaces", async () => {
    const r = await run(["new", "my video 视频", "--song", "song.wav", "--image", "face.png"], dir);
    expect(r.code).toBe(0);
    expect(r.out).toContain("next: cd 'my video 视频' && npx refrain make");
  });
});

describe("a file named in refrain.yaml that is not there", () => {
  it("names the field and the path: lyrics", async () => {
    const p = join(dir, "p-lyrics");
    expect((await run(["new", p, "--song", "song.wav", "--image", "face.png"], dir)).code).toBe(0);
    const yaml = await readFile(join(p, "refrain.yaml"), "utf8");
    await writeFile(join(p, "refrain.yaml"), yaml.replace(/^song: .*$/m, '$&\nlyrics: "gone.lrc"'));
    const r = await run(["analyze"], p);
    expectOneCleanLine(r, 2, /lyrics .*gone\.lrc: no such file — check the path/);
  });
});

describe("a song shorter than one clip", () => {
  it("makes one clip and make says so", async () => {
    const p = join(dir, "p-short");
    expect((await run(["new", p, "--song", "song.wav", "--image", "face.png"], dir)).code).toBe(0);
    const r = await run(["make", "--dry-run"], p);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/warning: the song \(2 s\) is shorter than one 3 s segment: planned as one/);
  });
});
