// Makes a folder that looks like an InfiniteTalk checkout to refrain: the fake script, its renderer, and empty weight folders.
import { copyFile, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));

/**
 * An InfiniteTalk folder under `root` with the fake as generate_infinitetalk.py, and provider
 * settings that drive it (`node` as the python, small renders, a short delay).
 */
export async function fakeInfiniteTalkSettings(root: string, env: Record<string, string> = {}) {
  const dir = join(root, "InfiniteTalk");
  for (const sub of [
    "weights/Wan2.1-I2V-14B-480P",
    "weights/chinese-wav2vec2-base",
    "weights/InfiniteTalk/single",
  ]) {
    await mkdir(join(dir, sub), { recursive: true });
  }
  await writeFile(join(dir, "weights/InfiniteTalk/single/infinitetalk.safetensors"), "");
  await copyFile(join(here, "generate_infinitetalk.cjs"), join(dir, "generate_infinitetalk.py"));
  await copyFile(join(here, "../shared/render-clip.cjs"), join(dir, "render-clip.cjs"));
  return {
    infinitetalkDir: dir,
    python: process.execPath,
    workDir: join(root, "jobs"),
    killGraceMs: 1000,
    env: { REFRAIN_FAKE_DELAY_MS: "500", REFRAIN_FAKE_MAX_SIDE: "256", ...env },
  };
}
