// A song the user may not read is called that, not "not a media file" (ffprobe's failure on it).
import { spawnSync } from "node:child_process";
import { chmod, copyFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findTools, probeAudio, runFfmpeg } from "../src/media/index.js";

const tools = findTools();
let dir: string;
let song: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "refrain-unreadable-"));
  await chmod(dir, 0o755);
  song = join(dir, "song.wav");
  await runFfmpeg(tools, ["-f", "lavfi", "-i", "sine=f=220:d=1", "-ar", "48000", song]);
  await copyFile(song, join(dir, "readable.wav"));
  await chmod(song, 0o000);
}, 20_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** probeAudio run as nobody: root reads any file, so as root the test needs another user. */
function probeAsNobody(file: string): string {
  const code = `import { findTools, probeAudio } from "./src/media/index.ts";
probeAudio(findTools(), ${JSON.stringify(file)}).then(() => console.log("read"), (e) => console.log(e.shortMessage ?? e.message));`;
  const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], {
    cwd: repo,
    uid: 65534,
    gid: 65534,
    encoding: "utf8",
  });
  return `${r.stdout}${r.stderr}`.trim();
}

const repo = resolve(import.meta.dirname, "..");
const asRoot = process.getuid?.() === 0;
// As root the check runs as nobody, who must be able to read this checkout (not so under a private /root).
const nobodyReadsRepo =
  !asRoot ||
  spawnSync(
    process.execPath,
    ["-e", `require("fs").accessSync(${JSON.stringify(join(repo, "src/media/index.ts"))})`],
    {
      uid: 65534,
      gid: 65534,
    },
  ).status === 0;

describe("an unreadable song", () => {
  it.skipIf(!nobodyReadsRepo)(
    "is reported as permission denied with what to do",
    async () => {
      const expected = /song .*song\.wav: permission denied — check who may read it/;
      if (asRoot) expect(probeAsNobody(song)).toMatch(expected);
      else await expect(probeAudio(tools, song)).rejects.toThrow(expected);
    },
    30_000,
  );

  it("while a readable one beside it probes as audio", async () => {
    const info = await probeAudio(tools, join(dir, "readable.wav"));
    expect(info.audio).toBeTruthy();
  });
});
