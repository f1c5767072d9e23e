// Reading a lyrics file from disk, with a one-line error when it cannot be read.
import { readFile } from "node:fs/promises";
import { UserInputError } from "../errors/index.js";
import { type LyricsFile, parseLyricsFile } from "./parse.js";

export async function readLyricsFile(path: string): Promise<LyricsFile> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    throw new UserInputError(
      `${path}: cannot read the lyrics file (${(e as NodeJS.ErrnoException).code ?? e})`,
      {
        file: path,
        cause: e,
      },
    );
  }
  return parseLyricsFile(text, path);
}
