// `refrain lyrics check` and `refrain song` from a lyrics file alone, against the Suno fake.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startChatFake } from "../../fakes/openai-chat/server.js";
import { type SunoFake, startSunoFake } from "../../fakes/suno/server.js";
import { makeCli } from "./context.js";
import { registerMakeCommands } from "./make-commands.js";

const LYRICS = "---\ntitle: 夜行\nstyle: mandopop ballad\n---\n[Verse]\n我在银行门口\n\n[Chorus]\n重新开始\n";

let dir: string;
let fake: SunoFake;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "make-cmd-"));
  fake = await startSunoFake();
  await writeFile(join(dir, "lyrics.txt"), LYRICS);
  await writeFile(join(dir, "refrain.yaml"), "version: 1\n# my song\nsong: none.mp3\n");
});
afterAll(async () => {
  await fake.close();
  await rm(dir, { recursive: true, force: true });
});

async function run(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const cli = makeCli(false, {
    cwd: dir,
    env: { ...process.env, SUNO_API_KEY: "suno-test-key" },
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
  });
  const program = new Command().exitOverride().option("-C, --project <dir>");
  registerMakeCommands(program, cli);
  await program.parseAsync(["node", "refrain", ...args]);
  return { out: out.join("\n"), err: err.join("\n") };
}

describe("refrain lyrics check", () => {
  it("lists likely misreadings with line, column and homophones as JSON", async () => {
    const { out } = await run("lyrics", "check", "--json");
    const report = JSON.parse(out);
    expect(report.findings).toEqual([]);
    expect(
      report.pronunciation.map((p: { char: string; line: number; column: number }) => [
        p.char,
        p.line,
        p.column,
      ]),
    ).toEqual([
      ["行", 6, 4],
      ["重", 9, 1],
    ]);
  });

  it("writes the replacements the user accepted", async () => {
    await writeFile(
      join(dir, "accepted.json"),
      JSON.stringify([{ line: 6, column: 4, char: "行", with: "航" }]),
    );
    await run("lyrics", "check", "--fix", "accepted.json");
    expect(await readFile(join(dir, "lyrics.txt"), "utf8")).toContain("我在银航门口");
  });
});

describe("refrain song", () => {
  it("makes two song takes, then makes the chosen one the project's song", async () => {
    const made = await run("song", "--base-url", fake.url);
    const ids = made.out.split("\n").map((l) => l.split(/\s+/)[0]!);
    expect(made.out.match(/succeeded/g)).toHaveLength(2);
    expect(made.err).toMatch(/about \$0\.10 for 2 songs/);
    const list = await run("song", "--list");
    expect(list.out.split("\n")).toHaveLength(2);
    await run("song", "--choose", ids[1]!);
    const yaml = await readFile(join(dir, "refrain.yaml"), "utf8");
    expect(yaml).toContain("# my song");
    expect(yaml).toMatch(new RegExp(`song: song-${ids[1]}\\.mp3`));
    expect(yaml).toMatch(/lyrics: lyrics-.*\.json/);
  }, 20_000);
});

describe("refrain prompt --video", () => {
  it("drafts singing and instrumental prompts from the lyrics and writes them into refrain.yaml, comments kept", async () => {
    const chat = await startChatFake();
    try {
      const { out } = await run(
        "prompt",
        "--video",
        "--write",
        "--base-url",
        `${chat.url}/v1`,
        "warm studio, night",
      );
      const prompts = JSON.parse(out);
      expect(prompts.sections.map((s: { name: string }) => s.name)).toEqual(["Verse", "Chorus"]);
      const yaml = await readFile(join(dir, "refrain.yaml"), "utf8");
      expect(yaml).toContain("# my song");
      expect(yaml).toContain(`prompt: ${prompts.singing}`);
      expect(yaml).toContain(`instrumental_prompt: ${prompts.instrumental}`);
      expect(chat.requests[0]!.messages[0]!.content).toMatch(/^schema: video/);
    } finally {
      await chat.close();
    }
  });
});
