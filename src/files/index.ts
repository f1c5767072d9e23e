// Writing outputs safely: a file appears under its final name only when it is complete.
import { randomBytes } from "node:crypto";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, extname, join } from "node:path";
import { UserInputError } from "../errors/index.js";

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

/**
 * Checks, before any work starts, that a file can be created beside `target` (making its folder),
 * so an output nobody can write fails at once as bad input instead of after minutes of work.
 * `what` names the output in the message: "cannot write the plot to /proc (ENOENT)".
 */
export async function checkCanWrite(target: string, what: string): Promise<void> {
  const dir = dirname(target);
  try {
    await mkdir(dir, { recursive: true });
    // Write a probe file: access(W_OK) says yes to root even where nothing can be created (/proc).
    const probeFile = join(dir, `.refrain-write-check-${process.pid}`);
    await writeFile(probeFile, "");
    await rm(probeFile, { force: true });
  } catch (e) {
    throw new UserInputError(
      `cannot write ${what} to ${dir} (${(e as NodeJS.ErrnoException).code ?? "error"})`,
      {
        file: target,
        hint: "choose an output folder you can write to",
        cause: e,
      },
    );
  }
}
