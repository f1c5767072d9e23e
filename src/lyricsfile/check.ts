// Checking a lyrics file before paying for a song: structure problems and the chosen music API's length limits.
import type { LyricsFile } from "./parse.js";

export type MusicApi = "sunoapi" | "suno-self-hosted" | "acestep";
export const MUSIC_APIS: readonly MusicApi[] = ["sunoapi", "suno-self-hosted", "acestep"];

export interface Finding {
  readonly severity: "error" | "warning";
  /** Stable machine name: "unknown-tag", "over-limit", … */
  readonly code: string;
  readonly line: number;
  readonly column?: number;
  readonly message: string;
}

/** Characters each field may hold (code points). Infinity where the API documents no limit. */
export interface LyricsLimits {
  readonly prompt: number;
  readonly style: number;
  readonly title: number;
}

/**
 * Limits per API and model, from BACKENDS.md (docs.sunoapi.org generate-music). The self-hosted
 * gcui-art wrapper forwards to Suno's web API, whose limits are not published: we assume the
 * oldest (V4) ones there. ACE-Step documents none.
 */
export function lyricsLimits(api: MusicApi, model?: string): LyricsLimits {
  if (api === "acestep") return { prompt: Infinity, style: Infinity, title: Infinity };
  const m = (model ?? (api === "sunoapi" ? "V4_5" : "V4")).toUpperCase();
  if (api === "suno-self-hosted" || m === "V4") return { prompt: 3000, style: 200, title: 80 };
  return { prompt: 5000, style: 1000, title: m === "V4_5ALL" ? 80 : 100 };
}

/** Section names Suno and ACE-Step recognise (community practice), lower case. */
export const KNOWN_TAGS: readonly string[] = [
  "intro",
  "verse",
  "pre-chorus",
  "prechorus",
  "chorus",
  "post-chorus",
  "hook",
  "refrain",
  "bridge",
  "instrumental",
  "interlude",
  "break",
  "breakdown",
  "build",
  "build-up",
  "drop",
  "solo",
  "guitar solo",
  "outro",
  "end",
  "fade out",
];

/** Sections made to be sung: every other known section may hold no lines. */
const SUNG = new Set([
  "verse",
  "pre-chorus",
  "prechorus",
  "chorus",
  "post-chorus",
  "hook",
  "refrain",
  "bridge",
]);

/** Sections that may hold no sung lines. */
const WORDLESS = new Set(KNOWN_TAGS.filter((t) => !SUNG.has(t)));

/** A tag's name without a trailing number: "Verse 2" → "verse". */
function baseName(name: string): string {
  return name
    .toLowerCase()
    .replace(/\s*\d+$/, "")
    .trim();
}

function length(s: string | undefined): number {
  return s === undefined ? 0 : [...s].length;
}

/** Column (1-based) of the first bracket that does not close, or undefined when balanced. */
export function unbalancedAt(text: string): number | undefined {
  const stack: { ch: string; at: number }[] = [];
  const pairs: Record<string, string> = { ")": "(", "]": "[", "）": "（" };
  const chars = [...text];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (c === "(" || c === "[" || c === "（") stack.push({ ch: c, at: i + 1 });
    else if (c in pairs) {
      if (stack.at(-1)?.ch !== pairs[c]) return i + 1;
      stack.pop();
    }
  }
  return stack[0]?.at;
}

/** Every problem found, in file order; errors would make the API refuse the request. */
export function checkLyrics(file: LyricsFile, api: MusicApi, model?: string): Finding[] {
  const out: Finding[] = [];
  const limits = lyricsLimits(api, model ?? file.header.model);
  const h = file.header;
  const instrumental = h.instrumental === true;

  for (const l of file.loose) {
    out.push({
      severity: "warning",
      code: "outside-section",
      line: l.line,
      message: `"${l.text}" is not under a section tag; put a tag such as [Verse] above it`,
    });
  }
  let ended: number | undefined;
  for (const s of file.sections) {
    if (ended !== undefined) {
      out.push({
        severity: "warning",
        code: "after-end",
        line: s.line,
        message: `[${s.tag}] comes after [End] on line ${ended}: the song stops at [End]`,
      });
    }
    const base = baseName(s.name);
    if (base === "end") ended ??= s.line;
    if (!s.name) {
      out.push({ severity: "warning", code: "empty-tag", line: s.line, message: "an empty tag []" });
    } else if (!KNOWN_TAGS.includes(base)) {
      out.push({
        severity: "warning",
        code: "unknown-tag",
        line: s.line,
        message: `[${s.tag}]: "${s.name}" is not a known section (${KNOWN_TAGS.slice(0, 10).join(", ")}, …); the model may sing it`,
      });
    }
    if (s.lines.length === 0 && s.name && !WORDLESS.has(base)) {
      out.push({
        severity: "warning",
        code: "empty-section",
        line: s.line,
        message: `[${s.tag}] has no lines; remove it or write its lyrics`,
      });
    }
    for (const l of s.lines) {
      const col = unbalancedAt(l.text);
      if (col !== undefined) {
        out.push({
          severity: "warning",
          code: "unbalanced",
          line: l.line,
          column: col,
          message: `a bracket or parenthesis here does not close: backing vocals go in (…), tags alone on a line in […]`,
        });
      }
    }
  }
  for (const l of file.loose) {
    const col = unbalancedAt(l.text);
    if (col !== undefined) {
      out.push({
        severity: "warning",
        code: "unbalanced",
        line: l.line,
        column: col,
        message: "unbalanced bracket",
      });
    }
  }
  const sung = file.sections.some((s) => s.lines.length > 0) || file.loose.length > 0;
  if (
    !instrumental &&
    sung &&
    !file.sections.some((s) => ["chorus", "hook", "refrain"].includes(baseName(s.name)))
  ) {
    out.push({
      severity: "warning",
      code: "no-chorus",
      line: file.bodyLine,
      message: "no [Chorus]: songs without one tend to wander; add one if the song should have a hook",
    });
  }
  if (instrumental && sung) {
    out.push({
      severity: "warning",
      code: "instrumental-with-lyrics",
      line: file.bodyLine,
      message: "instrumental: true, but the file has lyrics: they will not be sung",
    });
  }

  const over = (field: string, n: number, max: number, line: number) => {
    if (n > max) {
      out.push({
        severity: "error",
        code: "over-limit",
        line,
        message: `${field} is ${n} characters; ${api}${model || h.model ? ` ${model ?? h.model}` : ""} allows ${max}`,
      });
    }
  };
  over("the lyrics", length(file.body), limits.prompt, file.bodyLine);
  over("style", length(h.style), limits.style, 1);
  over("title", length(h.title), limits.title, 1);

  if (api !== "acestep") {
    if (!h.title?.trim()) {
      out.push({
        severity: "error",
        code: "missing-title",
        line: 1,
        message: `${api} needs a title: add title: to the header`,
      });
    }
    if (!h.style?.trim()) {
      out.push({
        severity: "error",
        code: "missing-style",
        line: 1,
        message: `${api} needs a style: add style: to the header`,
      });
    }
  }
  if (!instrumental && !sung) {
    out.push({
      severity: "error",
      code: "no-lyrics",
      line: file.bodyLine,
      message: "no lyrics: write some, or set instrumental: true in the header",
    });
  }
  return out.sort((a, b) => a.line - b.line || (a.column ?? 0) - (b.column ?? 0));
}
