// Reading a lyrics file: YAML front matter (style, title, exclusions, voice, weirdness) and sections in Suno meta-tags.
import { parseDocument } from "yaml";
import { z } from "zod";
import { UserInputError } from "../errors/index.js";

/** The header a song is generated from; every field optional, names as a writer would say them. */
export interface LyricsHeader {
  readonly title?: string;
  /** The style prompt (Suno "style", ACE-Step "caption"). */
  readonly style?: string;
  /** Negative tags: styles to keep out. */
  readonly exclude?: string;
  readonly vocalGender?: "m" | "f";
  /** 0…1: how far the model may stray (Suno weirdnessConstraint). */
  readonly weirdness?: number;
  /** 0…1: how strongly the style is followed (Suno styleWeight). */
  readonly styleWeight?: number;
  /** A model name for the music API, e.g. "V4_5". */
  readonly model?: string;
  readonly instrumental?: boolean;
}

export interface LyricsLine {
  /** 1-based line in the file. */
  readonly line: number;
  readonly text: string;
}

/** One `[Tag - modifier]` block and the lines under it. */
export interface LyricsSection {
  readonly line: number;
  /** The tag as written, without brackets: "Chorus - anthemic". */
  readonly tag: string;
  /** The section's name: "Chorus", "Verse 2". */
  readonly name: string;
  /** Words after the name: ["anthemic"]. */
  readonly modifiers: readonly string[];
  readonly lines: readonly LyricsLine[];
}

export interface LyricsFile {
  readonly path: string;
  readonly header: LyricsHeader;
  /** Line of the first body line (after the front matter). */
  readonly bodyLine: number;
  /** The lyrics as sent to a music API: the body with blank lines at its ends trimmed. */
  readonly body: string;
  readonly sections: readonly LyricsSection[];
  /** Sung lines before the first tag. */
  readonly loose: readonly LyricsLine[];
}

const Header = z
  .object({
    title: z.string().optional(),
    style: z.string().optional(),
    exclude: z.union([z.string(), z.array(z.string())]).optional(),
    vocal_gender: z.enum(["m", "f", "male", "female"]).optional(),
    weirdness: z.number().min(0).max(1).optional(),
    style_weight: z.number().min(0).max(1).optional(),
    model: z.string().optional(),
    instrumental: z.boolean().optional(),
  })
  .strict();

const TAG = /^\s*\[([^\]\n]*)\]\s*$/;

/** Splits a tag's text into its name and modifiers: "Chorus - anthemic, big" → Chorus, [anthemic, big]. */
export function splitTag(tag: string): { name: string; modifiers: string[] } {
  const [name = "", ...rest] = tag.split(/\s*[-–:|]\s*|\s*,\s*/);
  return { name: name.trim(), modifiers: rest.map((m) => m.trim()).filter(Boolean) };
}

/**
 * Parses a lyrics file's text. Only a broken header is an error (file:line, field); problems in the
 * lyrics themselves are left to `checkLyrics`, which reports them all at once.
 */
export function parseLyricsFile(text: string, path: string): LyricsFile {
  const all = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  let header: LyricsHeader = {};
  let start = 0;
  if (all[0]?.trim() === "---") {
    const end = all.findIndex((l, i) => i > 0 && l.trim() === "---");
    if (end < 0) {
      throw new UserInputError(`${path}:1: the header starting with --- has no closing --- line`, {
        file: path,
      });
    }
    header = readHeader(all.slice(1, end).join("\n"), path);
    start = end + 1;
  }
  const sections: { line: number; tag: string; name: string; modifiers: string[]; lines: LyricsLine[] }[] =
    [];
  const loose: LyricsLine[] = [];
  for (let i = start; i < all.length; i++) {
    const raw = all[i]!;
    if (!raw.trim()) continue;
    const m = TAG.exec(raw);
    if (m) {
      const tag = m[1]!.trim();
      sections.push({ line: i + 1, tag, ...splitTag(tag), lines: [] });
      continue;
    }
    const line = { line: i + 1, text: raw.trim() };
    const current = sections.at(-1);
    if (current) current.lines.push(line);
    else loose.push(line);
  }
  const bodyLines = all.slice(start);
  let first = 0;
  while (first < bodyLines.length && !bodyLines[first]!.trim()) first++;
  return {
    path,
    header,
    bodyLine: start + 1,
    body: bodyLines.slice(first).join("\n").trimEnd(),
    sections,
    loose,
  };
}

function readHeader(yamlText: string, path: string): LyricsHeader {
  const doc = parseDocument(yamlText, { prettyErrors: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const line = (e.linePos?.[0]?.line ?? 0) + 1;
    throw new UserInputError(`${path}:${line}: the header is not valid YAML (${e.message.split("\n")[0]})`, {
      file: path,
    });
  }
  const value = doc.toJS() ?? {};
  const parsed = Header.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join(".") || String((issue as { keys?: string[] }).keys?.[0] ?? "");
    const node = field ? doc.getIn(issue.path.length ? issue.path : [field], true) : undefined;
    const offset = (node as { range?: [number] } | undefined)?.range?.[0];
    const line = offset === undefined ? 2 : yamlText.slice(0, offset).split("\n").length + 1;
    const keys = (issue as { keys?: string[] }).keys;
    const what = keys
      ? `unknown field "${keys[0]}" (known: ${Object.keys(Header.shape).join(", ")})`
      : issue.message;
    throw new UserInputError(`${path}:${line}: ${keys ? "" : `${field}: `}${what}`, { file: path });
  }
  const h = parsed.data;
  return {
    title: h.title,
    style: h.style,
    exclude: Array.isArray(h.exclude) ? h.exclude.join(", ") : h.exclude,
    vocalGender: h.vocal_gender === undefined ? undefined : (h.vocal_gender[0] as "m" | "f"),
    weirdness: h.weirdness,
    styleWeight: h.style_weight,
    model: h.model,
    instrumental: h.instrumental,
  };
}
