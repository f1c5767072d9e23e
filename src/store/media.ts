// The content-addressed media folder: files named by their sha256, written temp → fsync → rename.
import { createHash, randomBytes } from "node:crypto";
import { createReadStream, existsSync, readdirSync, statSync } from "node:fs";
import { copyFile, mkdir, open, rename, rm, stat } from "node:fs/promises";
import { extname, join } from "node:path";
import { UserInputError } from "../errors/index.js";
import type { MediaFolder, PutMediaOptions } from "./types.js";

const HASH = /^[0-9a-f]{64}$/;

/** What went wrong reading a file, in a user's words: the problem and what to do. */
function unreadable(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return "no such file — check the path";
  if (code === "EISDIR") return "is a folder, not a file — give the file inside it";
  if (code === "EACCES" || code === "EPERM") return "permission denied — check who may read it";
  return `cannot read it (${code ?? (e as Error).message})`;
}

/** sha256 hex of a file's bytes, streamed; `what` ("song", "lyrics") names the file in an error. */
export async function hashFile(path: string, what?: string): Promise<string> {
  const hash = createHash("sha256");
  try {
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  } catch (e) {
    throw new UserInputError(`${what ? `${what} ` : ""}${path}: ${unreadable(e)}`, { cause: e, file: path });
  }
  return hash.digest("hex");
}

async function fsyncPath(path: string, flags: "r" | "r+"): Promise<void> {
  const handle = await open(path, flags);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Opens (creating) a media folder at `root`. */
export function openMediaFolder(root: string): MediaFolder {
  const dirOf = (hash: string) => join(root, hash.slice(0, 2));

  const find = (hash: string): string | undefined => {
    if (!HASH.test(hash)) return undefined;
    const dir = dirOf(hash);
    if (!existsSync(dir)) return undefined;
    const name = readdirSync(dir).find((n) => n === hash || n.startsWith(`${hash}.`));
    return name === undefined ? undefined : join(dir, name);
  };

  return {
    root,
    async put(path: string, options: PutMediaOptions = {}): Promise<string> {
      const hash = await hashFile(path);
      const ext = (options.ext ?? extname(path).slice(1)).replace(/^\./, "");
      const dir = dirOf(hash);
      const target = join(dir, ext ? `${hash}.${ext}` : hash);
      if (find(hash) !== undefined) {
        // Same bytes are already stored: keep the one copy.
        if (options.move) await rm(path, { force: true });
        return hash;
      }
      await mkdir(dir, { recursive: true });
      const tmp = join(dir, `.${hash}.${randomBytes(4).toString("hex")}.partial`);
      try {
        let moved = false;
        if (options.move) {
          try {
            await rename(path, tmp);
            moved = true;
          } catch (e) {
            if ((e as NodeJS.ErrnoException).code !== "EXDEV") throw e;
          }
        }
        if (!moved) await copyFile(path, tmp);
        // The bytes must be on disk before the name says they are complete.
        await fsyncPath(tmp, "r+");
        await rename(tmp, target);
        await fsyncPath(dir, "r");
        if (options.move && !moved) await rm(path, { force: true });
      } catch (e) {
        await rm(tmp, { force: true });
        throw e;
      }
      return hash;
    },
    path(hash: string): string {
      const found = find(hash);
      if (found === undefined) throw new UserInputError(`media ${hash} is not in ${root}`);
      return found;
    },
    has(hash: string): boolean {
      return find(hash) !== undefined;
    },
    async remove(hash: string): Promise<number> {
      const found = find(hash);
      if (found === undefined) return 0;
      const { size } = await stat(found);
      await rm(found, { force: true });
      return size;
    },
  };
}

/** Bytes of a stored file, 0 when absent. */
export function mediaSize(folder: MediaFolder, hash: string): number {
  return folder.has(hash) ? statSync(folder.path(hash)).size : 0;
}
