// Files the user may not read or write: a song is called unreadable, not "not a media file"; a store
// they may not write is said so before any work, not as an unexpected error at the first write.
import { spawnSync } from "node:child_process";
import { chmod, copyFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findTools, probeAudio, runFfmpeg } from "../src/media/index.js";
import { openSqliteStore } from "../src/store/index.js";

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

/** Runs a module snippet as nobody (root reads and writes anything, so as root the tests need another user). */
function runAsNobody(code: string): string {
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
      const asNobody = `import { findTools, probeAudio } from "./src/media/index.ts";
probeAudio(findTools(), ${JSON.stringify(song)}).then(() => console.log("read"), (e) => console.log(e.shortMessage ?? e.message));`;
      if (asRoot) expect(runAsNobody(asNobody)).toMatch(expected);
      else await expect(probeAudio(tools, song)).rejects.toThrow(expected);
    },
    30_000,
  );

  it("while a readable one beside it probes as audio", async () => {
    const info = await probeAudio(tools, join(dir, "readable.wav"));
    expect(info.audio).toBeTruthy();
  });
});

describe("a project store the user may not write", () => {
  const expected =
    /^the project's store .*\.refrain is read-only for you — run refrain as the user who owns the project folder/;
  it.skipIf(!nobodyReadsRepo)(
    "is refused when opened, naming it and what to do",
    async () => {
      const project = join(dir, "project");
      const store = openSqliteStore(project);
      await store.close();
      if (!asRoot) {
        await chmod(join(project, ".refrain"), 0o555);
        expect(() => openSqliteStore(project)).toThrow(expected);
        await chmod(join(project, ".refrain"), 0o755);
        return;
      }
      const code = `import { openSqliteStore } from "./src/store/index.ts";
try { openSqliteStore(${JSON.stringify(project)}); console.log("opened"); } catch (e) { console.log(e.shortMessage ?? e.message); }`;
      expect(runAsNobody(code)).toMatch(expected);
    },
    30_000,
  );
});
