// Makes a folder that looks like a Wan2GP install to refrain: the fake wgp.py (a Node script) and its renderer.
import { copyFile, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));

/** Copies the fake into `dir` as wgp.py; run it with `python: process.execPath`. Returns `dir`. */
export async function installFakeWan2gp(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  await copyFile(join(here, "wgp.cjs"), join(dir, "wgp.py"));
  await copyFile(join(here, "../shared/render-clip.cjs"), join(dir, "render-clip.cjs"));
  return dir;
}

/**
 * A Wan2GP folder with the fake in it under `root`, and the provider settings that drive it:
 * `node` as the python, small renders, a short delay (REFRAIN_FAKE_* variables, see wgp.cjs).
 */
export async function fakeWan2gpSettings(root: string, env: Record<string, string> = {}) {
  const wan2gpDir = await installFakeWan2gp(join(root, "Wan2GP"));
  return {
    wan2gpDir,
    python: process.execPath,
    workDir: join(root, "jobs"),
    killGraceMs: 1000,
    env: { REFRAIN_FAKE_DELAY_MS: "500", REFRAIN_FAKE_MAX_SIDE: "256", ...env },
  };
}
