// Writing outputs safely: a file appears under its final name only when it is complete.
import { randomBytes } from "node:crypto";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, extname, join } from "node:path";

/** A sibling temporary name that keeps the extension (ffmpeg picks the container from it). */
export function tempSibling(target: string): string {
  const ext = extname(target);
  const stem = basename(target, ext);
  return join(dirname(target), `.${stem}.${randomBytes(4).toString("hex")}.partial${ext}`);
}

/**
 * Runs `write` against a temporary path beside `target`, then renames it into place.
 * On any failure the temporary file is removed and `target` is untouched.
 */
export async function withTempOutput<T>(target: string, write: (tmp: string) => Promise<T>): Promise<T> {
  await mkdir(dirname(target), { recursive: true });
  const tmp = tempSibling(target);
  try {
    const result = await write(tmp);
    await rename(tmp, target);
    return result;
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/** Writes text or bytes atomically. */
export async function writeFileAtomic(target: string, data: string | Uint8Array): Promise<void> {
  await withTempOutput(target, (tmp) => writeFile(tmp, data));
}
