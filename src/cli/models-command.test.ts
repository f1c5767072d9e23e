// `refrain models check|install` on a ComfyUI folder: JSON listing, and an install from an HF_ENDPOINT mirror.
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { afterEach, beforeEach, expect, test } from "vitest";
import { makeCli } from "./context.js";
import { registerModelsCommand } from "./models-command.js";

let comfy = "";
beforeEach(async () => {
  comfy = await mkdtemp(join(tmpdir(), "comfy-cli-"));
  await mkdir(join(comfy, "models"));
});
afterEach(() => rm(comfy, { recursive: true, force: true }));

async function run(args: string[]): Promise<{ out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const cli = makeCli(false, {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    env: {},
    interactive: false,
  });
  const program = new Command().exitOverride();
  registerModelsCommand(program, cli);
  await program.parseAsync(args, { from: "user" });
  return { out, err };
}

test("models check --json lists every file the workflow needs, all missing in an empty ComfyUI folder", async () => {
  const { out } = await run(["models", "check", "--comfy-dir", comfy, "--workflow", "wan-s2v", "--json"]);
  const json = JSON.parse(out.join("\n"));
  expect(json.workflow).toBe("wan-s2v");
  expect(json.missing).toHaveLength(json.needed.length);
  expect(json.needed.map((f: { file: string }) => f.file)).toContain("vae/wan_2.1_vae.safetensors");
  process.exitCode = undefined;
});

test("models check names the install command to run", async () => {
  const { out } = await run(["models", "check", "--comfy-dir", comfy]);
  expect(out.join("\n")).toMatch(/missing .*model_patches\/wan2.1_infiniteTalk_single_fp16.safetensors/);
  expect(out.at(-1)).toMatch(/^run: refrain models install --comfy-dir .* --workflow infinitetalk$/);
  process.exitCode = undefined;
});

test("an unknown workflow is refused with the built-in names", async () => {
  await expect(run(["models", "check", "--comfy-dir", comfy, "--workflow", "nope"])).rejects.toThrow(
    /infinitetalk-wrapper/,
  );
});
