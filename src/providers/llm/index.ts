// llm: an OpenAI-compatible chat model that proposes style prompts and tags, revises sections and drafts video prompts.
export type { AskOptions, ChatMessage, Llm } from "./chat.js";
export { askJson, createChatLlm, extractJson } from "./chat.js";
export type { SectionText } from "./helper.js";
export {
  draftVideoPrompts,
  proposeStyle,
  reviseSection,
  SectionRevision,
  StyleProposal,
  VideoPrompts,
} from "./helper.js";
