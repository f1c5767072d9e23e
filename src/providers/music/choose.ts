// Making a song take the project's song: its audio and aligned words copied in, refrain.yaml's song: and lyrics: updated with comments kept.
import { copyFile, readFile } from "node:fs/promises";
import { join } from "node:path";
import { parseDocument } from "yaml";
import { UserInputError } from "../../errors/index.js";
import { withTempOutput, writeFileAtomic } from "../../files/index.js";
import type { MediaTake, MediaTakes } from "./takes.js";

/**
 * Sets `song:` (and `lyrics:` when the take has aligned words) in a refrain.yaml text. Pure: the
 * yaml Document API keeps every comment and the order of keys.
 */
export function setSongInProject(
  yamlText: string,
  song: string,
  lyrics: string | null,
  file = "refrain.yaml",
): string {
  const doc = parseDocument(yamlText);
  if (doc.errors.length > 0)
    throw new UserInputError(`${file}: not valid YAML (${doc.errors[0]!.message.split("\n")[0]})`, { file });
  doc.set("song", song);
  if (lyrics) doc.set("lyrics", lyrics);
  return doc.toString();
}

/** Copies the take's files into the project and points refrain.yaml at them; returns the new paths. */
export async function chooseSong(
  projectDir: string,
  takes: MediaTakes,
  takeId: string,
): Promise<{ take: MediaTake; song: string; lyrics: string | null }> {
  const take = await takes.get(takeId);
  if (!take) throw new UserInputError(`no song take "${takeId}": see \`refrain song --list\``);
  if (take.status !== "succeeded" || !take.file) {
    throw new UserInputError(
      `song take ${take.id.slice(0, 8)} has no audio (${take.status}${take.failureReason ? `: ${take.failureReason}` : ""})`,
    );
  }
  const short = take.id.slice(0, 8);
  const song = `song-${short}${take.file.slice(take.file.lastIndexOf("."))}`;
  await withTempOutput(join(projectDir, song), (tmp) => copyFile(takes.path(take.file!), tmp));
  let lyrics: string | null = null;
  if (take.lyrics) {
    lyrics = `lyrics-${short}.json`;
    await withTempOutput(join(projectDir, lyrics), (tmp) => copyFile(takes.path(take.lyrics!), tmp));
  }
  const yamlPath = join(projectDir, "refrain.yaml");
  let text: string;
  try {
    text = await readFile(yamlPath, "utf8");
  } catch {
    text = "version: 1\n";
  }
  await writeFileAtomic(yamlPath, setSongInProject(text, song, lyrics, yamlPath));
  return { take, song, lyrics };
}
