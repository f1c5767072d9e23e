// What the LLM helps write: the style prompt and section tags, a revised section, and per-segment video prompts.
import { z } from "zod";
import { type AskOptions, askJson, type ChatMessage, type Llm } from "./chat.js";

export const StyleProposal = z.object({
  /** The style prompt: genre, mood, instruments, voice, tempo. */
  style: z.string().min(1),
  /** Negative tags. */
  exclude: z.string().optional(),
  /** The tag to use for each section, in order: "Chorus - anthemic". */
  sections: z.array(z.object({ name: z.string().min(1), tag: z.string().min(1) })),
});
export type StyleProposal = z.infer<typeof StyleProposal>;

export const SectionRevision = z.object({
  tag: z.string().min(1),
  lines: z.array(z.string()).min(1),
});
export type SectionRevision = z.infer<typeof SectionRevision>;

export const VideoPrompts = z.object({
  /** For segments where the singer sings. */
  singing: z.string().min(1),
  /** For instrumental segments: mouth closed. */
  instrumental: z.string().min(1),
  sections: z.array(z.object({ name: z.string().min(1), prompt: z.string().min(1) })),
});
export type VideoPrompts = z.infer<typeof VideoPrompts>;

// Each system prompt names its schema on the first line; fakes and logs read it.
const SYSTEM_STYLE = `schema: style
You help write songs for Suno. Given lyrics and a goal, propose a style prompt (under 200 characters: genre, mood, instruments, vocal type, tempo), negative tags, and a Suno meta-tag for each section (e.g. "Chorus - anthemic").
Reply with JSON only: {"style": string, "exclude": string, "sections": [{"name": string, "tag": string}]}`;

const SYSTEM_SECTION = `schema: section
You revise one section of song lyrics as asked, keeping its meaning, language and rhythm. Backing vocals go in parentheses.
Reply with JSON only: {"tag": string, "lines": [string]}`;

const SYSTEM_VIDEO = `schema: video
You write prompts for an audio-driven talking/singing-head video model, given song lyrics by section. One prompt for singing segments (the singer sings to camera), one for instrumental segments (mouth closed, listening, gentle movement), and one per section.
Reply with JSON only: {"singing": string, "instrumental": string, "sections": [{"name": string, "prompt": string}]}`;

export function proposeStyle(
  llm: Llm,
  lyrics: string,
  goal: string,
  options: AskOptions = {},
): Promise<StyleProposal> {
  const messages: ChatMessage[] = [
    { role: "system", content: SYSTEM_STYLE },
    { role: "user", content: `Goal: ${goal}\n\nLyrics:\n${lyrics}` },
  ];
  return askJson(llm, messages, StyleProposal, options);
}

export function reviseSection(
  llm: Llm,
  lyrics: string,
  section: string,
  instruction: string,
  options: AskOptions = {},
): Promise<SectionRevision> {
  const messages: ChatMessage[] = [
    { role: "system", content: SYSTEM_SECTION },
    { role: "user", content: `Whole lyrics:\n${lyrics}\n\nRevise the section "${section}": ${instruction}` },
  ];
  return askJson(llm, messages, SectionRevision, options);
}

export interface SectionText {
  readonly name: string;
  readonly kind: "singing" | "instrumental";
  readonly text: string;
}

export function draftVideoPrompts(
  llm: Llm,
  sections: readonly SectionText[],
  goal: string,
  options: AskOptions = {},
): Promise<VideoPrompts> {
  const body = sections.map((s) => `[${s.name}] (${s.kind})\n${s.text}`).join("\n\n");
  const messages: ChatMessage[] = [
    { role: "system", content: SYSTEM_VIDEO },
    { role: "user", content: `Look and mood: ${goal}\n\n${body}` },
  ];
  return askJson(llm, messages, VideoPrompts, options);
}
