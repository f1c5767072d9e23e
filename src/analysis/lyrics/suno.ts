// Suno aligned words (docs.sunoapi.org camelCase and gcui-art/suno-api snake_case) as lines, words and sections.

import { z } from "zod";
import { UserInputError } from "../../errors/index.js";
import { secondsToSamples } from "../../time/index.js";
import { type Draft, type DraftSection, emptyDraft, type Piece, piecesToWords } from "./draft.js";
import { parseSectionTag, stripInstructions } from "./text.js";

const CamelWord = z.object({
  word: z.string(),
  startS: z.number(),
  endS: z.number(),
  success: z.boolean().optional(),
});
const SnakeWord = z.object({
  word: z.string(),
  start_s: z.number(),
  end_s: z.number(),
  success: z.boolean().optional(),
});

interface AlignedWord {
  word: string;
  start: number;
  end: number;
  success: boolean;
}

/** The aligned-words array wherever the known envelopes put it: bare, {alignedWords}, {data:{alignedWords}}, … */
function findWords(json: unknown, depth = 0): unknown[] | undefined {
  if (Array.isArray(json)) return json;
  if (depth > 3 || typeof json !== "object" || json === null) return undefined;
  const o = json as Record<string, unknown>;
  for (const key of ["alignedWords", "aligned_words"]) if (Array.isArray(o[key])) return o[key] as unknown[];
  return "data" in o ? findWords(o["data"], depth + 1) : undefined;
}

function notSuno(fileName: string): UserInputError {
  return new UserInputError(
    `${fileName}: JSON is not Suno aligned words — expected {"data":{"alignedWords":[{"word","startS","endS"}]}} or [{"word","start_s","end_s"}]`,
    { file: fileName },
  );
}

/** Line numbers of each "word" key in the JSON text, so warnings can name file:line. */
function wordLines(text: string): number[] {
  const lines: number[] = [];
  let line = 1;
  let last = 0;
  for (const m of text.matchAll(/"word"\s*:/g)) {
    for (let i = last; i < m.index; i++) if (text.charCodeAt(i) === 10) line++;
    last = m.index;
    lines.push(line);
  }
  return lines;
}

export function parseSunoJson(json: unknown, text: string, fileName: string): Draft {
  const items = findWords(json);
  if (!items) throw notSuno(fileName);
  const draft = emptyDraft("suno");
  const lineOf = wordLines(text);
  const at = (i: number) =>
    lineOf.length === items.length ? `${fileName}:${lineOf[i]}` : `${fileName}: word ${i + 1}`;

  const words: (AlignedWord | undefined)[] = items.map((item, i) => {
    const camel = CamelWord.safeParse(item);
    if (camel.success)
      return {
        word: camel.data.word,
        start: secondsToSamples(camel.data.startS),
        end: secondsToSamples(camel.data.endS),
        success: camel.data.success ?? true,
      };
    const snake = SnakeWord.safeParse(item);
    if (snake.success)
      return {
        word: snake.data.word,
        start: secondsToSamples(snake.data.start_s),
        end: secondsToSamples(snake.data.end_s),
        success: snake.data.success ?? true,
      };
    draft.warnings.push(`${at(i)}: not an aligned word — expected {"word", "startS", "endS"}; skipped`);
    return undefined;
  });
  if (items.length > 0 && words.every((w) => w === undefined)) throw notSuno(fileName);

  let unaligned = 0;
  let raw = "";
  let pieces: Piece[] = [];
  let where = "";
  let lastEnd: number | undefined;
  let pending: { name: string; kind: string }[] = [];

  const closeLine = () => {
    const lineText = stripInstructions(raw);
    if (lineText && pieces.length > 0) {
      const start = Math.min(...pieces.map((p) => p.start));
      const end = Math.max(...pieces.map((p) => p.end));
      draft.lines.push({ start, end, text: lineText, words: piecesToWords(pieces), where });
      lastEnd = end;
    } else if (lineText) draft.warnings.push(`${where}: line "${lineText}" has no aligned word — skipped`);
    raw = "";
    pieces = [];
  };

  const startSections = (t: number) => {
    // Headers piled up before one line ("[Instrumental]\n[Verse 2]\n…"): the last starts with the line,
    // the earlier ones in the gap before it.
    pending.forEach((s, k) => {
      const start = k === pending.length - 1 ? t : (lastEnd ?? 0);
      draft.sections.push({ ...s, start } satisfies DraftSection);
    });
    pending = [];
  };

  words.forEach((w, i) => {
    if (!w) return;
    const timed =
      w.success && Number.isFinite(w.start) && Number.isFinite(w.end) && w.start >= 0 && w.end >= w.start;
    if (!timed) unaligned++;
    // A word may carry its section header ("[Verse]\nWaggin'") and line breaks ("tail\n").
    const parts = w.word.split(/(\[[^\]]*\])/);
    parts.forEach((part, k) => {
      if (k % 2 === 1) {
        closeLine();
        const tag = parseSectionTag(part.slice(1, -1));
        if (tag) pending.push(tag);
        return;
      }
      part.split(/\r?\n/).forEach((chunk, j) => {
        if (j > 0) closeLine();
        if (!chunk) return;
        if (!raw.trim()) where = at(i);
        raw += chunk;
        if (timed && chunk.trim()) {
          if (pending.length > 0) startSections(w.start);
          pieces.push({ raw: chunk, start: w.start, end: w.end });
        }
      });
    });
  });
  closeLine();
  if (unaligned > 0)
    draft.warnings.push(
      `${fileName}: ${unaligned} word(s) Suno could not align (success: false or bad times) — kept in the text without timings`,
    );
  return draft;
}
