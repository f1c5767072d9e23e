// `refrain models check|install`: what a built-in ComfyUI workflow needs in a ComfyUI folder, and downloading what is missing.
import { resolve } from "node:path";
import type { Command } from "commander";
import { UserInputError } from "../errors/index.js";
import { checkModels, installModels, MANIFESTS, type ModelsCheck, modelKey } from "../models/index.js";
import type { Cli } from "./context.js";
import { type ProgressReporter, progress } from "./progress.js";

const DEFAULT_WORKFLOW = "infinitetalk";

function workflowOption(v: string): string {
  if (!(v in MANIFESTS)) {
    throw new UserInputError(
      `--workflow ${v}: unknown; built-in workflows are ${Object.keys(MANIFESTS).join(", ")}`,
    );
  }
  return v;
}

function gb(bytes: number | null): string {
  return bytes === null ? "size unknown" : `${(bytes / 1e9).toFixed(2)} GB`;
}

/** The check as JSON a script can read: paths, sizes and hashes, grouped by state. */
export function checkJson(check: ModelsCheck): unknown {
  const row = (s: ModelsCheck["needed"][number]) => ({
    file: modelKey(s.file),
    path: s.path,
    size: s.file.size,
    sha256: s.file.sha256,
    ...(s.problem ? { problem: s.problem } : {}),
  });
  return {
    version: 1,
    workflow: check.workflow,
    needed: check.needed.map(row),
    present: check.present.map(row),
    missing: check.missing.map(row),
    wrongHash: check.wrongHash.map(row),
  };
}

export function registerModelsCommand(program: Command, cli: Cli): void {
  const models = program
    .command("models")
    .description("check and install the model files a ComfyUI workflow needs");
  models
    .command("check")
    .description("list the model files a built-in workflow needs and which are missing")
    .requiredOption("--comfy-dir <dir>", "the ComfyUI folder (holds models/)")
    .option("--workflow <name>", `built-in workflow (${Object.keys(MANIFESTS).join(", ")})`, workflowOption)
    .option("--verify", "hash every present file (slow: gigabytes)")
    .option("--json", "print JSON")
    .action(async (o: { comfyDir: string; workflow?: string; verify?: boolean; json?: boolean }) => {
      const check = await checkModels(resolve(cli.cwd, o.comfyDir), o.workflow ?? DEFAULT_WORKFLOW, {
        verify: o.verify,
        signal: cli.signal,
      });
      if (o.json) return cli.out(JSON.stringify(checkJson(check), null, 2));
      cli.out(`workflow ${check.workflow}: ${check.needed.length} model files`);
      for (const s of check.needed) {
        const state = check.present.includes(s)
          ? "ok     "
          : check.missing.includes(s)
            ? "missing"
            : "WRONG  ";
        const problem = check.wrongHash.find((w) => w.file === s.file)?.problem;
        cli.out(`  ${state} ${modelKey(s.file)} (${gb(s.file.size)})${problem ? ` — ${problem}` : ""}`);
      }
      if (check.missing.length > 0) {
        cli.out(`run: refrain models install --comfy-dir ${o.comfyDir} --workflow ${check.workflow}`);
      }
      if (check.missing.length > 0 || check.wrongHash.length > 0) process.exitCode = 1;
    });
  models
    .command("install")
    .description(
      "download the missing model files (resumable; sha256 checked; honours HF_ENDPOINT and HTTPS_PROXY)",
    )
    .requiredOption("--comfy-dir <dir>", "the ComfyUI folder (holds models/)")
    .option("--workflow <name>", `built-in workflow (${Object.keys(MANIFESTS).join(", ")})`, workflowOption)
    .action(async (o: { comfyDir: string; workflow?: string }) => {
      let bar: ProgressReporter | null = null;
      let current = "";
      const result = await installModels(resolve(cli.cwd, o.comfyDir), o.workflow ?? DEFAULT_WORKFLOW, {
        env: cli.env,
        signal: cli.signal,
        onWarning: (line) => cli.err(`warning: ${line}`),
        onProgress: (p) => {
          if (p.file !== current) {
            bar?.stop();
            current = p.file;
            bar = progress(cli, p.file.split("/").pop() ?? p.file);
          }
          if (p.total) bar?.update(p.bytes / p.total, gb(p.bytes));
        },
      });
      (bar as ProgressReporter | null)?.stop();
      for (const f of result.installed) cli.out(`installed ${f}`);
      cli.out(
        `${result.installed.length} installed, ${result.alreadyPresent.length} already present (workflow ${o.workflow ?? DEFAULT_WORKFLOW})`,
      );
    });
}
