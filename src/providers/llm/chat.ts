// Any OpenAI-compatible chat API (OpenAI, Ollama, llama.cpp server): one call, and JSON answers validated with zod and retried.
import type { z } from "zod";
import { ProviderError, throwIfAborted, UserInputError } from "../../errors/index.js";
import { HostedHttp } from "../http/client.js";
import { optionalNumber, optionalString } from "../http/settings.js";

export interface ChatMessage {
  readonly role: "system" | "user" | "assistant";
  readonly content: string;
}

export interface Llm {
  readonly name: string;
  readonly model: string;
  /** The assistant's reply text. */
  chat(messages: readonly ChatMessage[], signal?: AbortSignal): Promise<string>;
}

/**
 * Settings: `base_url` (default https://api.openai.com/v1; Ollama http://127.0.0.1:11434/v1), `model`
 * (required: no default guesses a model the server may not have), optional `temperature`. The key,
 * when the server needs one, comes from OPENAI_API_KEY only.
 */
export function createChatLlm(
  settings: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
  log?: (line: string) => void,
): Llm {
  const where = "llm";
  const model = optionalString(settings, "model", where);
  if (!model) {
    throw new UserInputError(`${where}.model is not set`, {
      hint: 'name the chat model, e.g. llm: { model: "gpt-4o-mini" } or { base_url: "http://127.0.0.1:11434/v1", model: "llama3.1" }',
    });
  }
  const key = env.OPENAI_API_KEY?.trim() || undefined;
  const temperature = optionalNumber(settings, "temperature", where, { min: 0, max: 2 });
  const http = new HostedHttp({
    provider: "llm",
    baseUrl: optionalString(settings, "base_url", where) ?? "https://api.openai.com/v1",
    authHeaders: key ? { Authorization: `Bearer ${key}` } : {},
    keyVariable: "OPENAI_API_KEY",
    secrets: [key],
    log,
    timeoutMs: 180_000,
  });
  return {
    name: "llm",
    model,
    async chat(messages, signal) {
      const body: Record<string, unknown> = { model, messages };
      if (temperature !== undefined) body.temperature = temperature;
      const res = await http.json<{ choices?: { message?: { content?: string | null } }[] }>(
        "POST",
        "/chat/completions",
        { json: body, signal },
      );
      const content = res?.choices?.[0]?.message?.content;
      if (typeof content !== "string") throw http.error("the chat answer has no choices[0].message.content");
      return content;
    },
  };
}

/**
 * The JSON value in a model's reply: the whole reply, a ```json fenced block, or the first balanced
 * {…} or […] in the text. Throws a SyntaxError saying what it found. Pure.
 */
export function extractJson(reply: string): unknown {
  const text = reply.trim();
  const fenced = /```(?:json|JSON)?\s*\n?([\s\S]*?)```/.exec(text);
  const candidates = [fenced?.[1]?.trim(), text, balanced(text)].filter((x): x is string => Boolean(x));
  let last: unknown;
  for (const c of candidates) {
    try {
      return JSON.parse(c);
    } catch (e) {
      last = e;
    }
  }
  throw new SyntaxError(`no JSON in the reply (${(last as Error)?.message ?? "empty reply"})`);
}

function balanced(text: string): string | undefined {
  const start = text.search(/[{[]/);
  if (start < 0) return undefined;
  const open = text[start]!;
  const close = open === "{" ? "}" : "]";
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === open) depth++;
    else if (c === close && --depth === 0) return text.slice(start, i + 1);
  }
  return undefined;
}

/** One line for a zod failure: the first few issues with their paths. */
function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join(".") || "(top)"}: ${i.message}`)
    .join("; ");
}

export interface AskOptions {
  readonly attempts?: number;
  readonly signal?: AbortSignal;
  /** Each failed attempt, for --verbose. */
  readonly onRetry?: (attempt: number, problem: string) => void;
}

/**
 * Asks until the reply holds JSON the schema accepts, feeding each problem back to the model
 * (default 3 attempts), then fails with one line naming the last problem.
 */
export async function askJson<T>(
  llm: Llm,
  messages: readonly ChatMessage[],
  schema: z.ZodType<T>,
  options: AskOptions = {},
): Promise<T> {
  const attempts = options.attempts ?? 3;
  const history: ChatMessage[] = [...messages];
  let problem = "";
  for (let attempt = 1; attempt <= attempts; attempt++) {
    throwIfAborted(options.signal);
    const reply = await llm.chat(history, options.signal);
    let value: unknown;
    try {
      value = extractJson(reply);
    } catch (e) {
      problem = (e as Error).message;
      options.onRetry?.(attempt, problem);
      history.push(
        { role: "assistant", content: reply },
        { role: "user", content: `That was not valid JSON (${problem}). Reply with the JSON object only.` },
      );
      continue;
    }
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data;
    problem = `the JSON does not fit: ${describeIssues(parsed.error)}`;
    options.onRetry?.(attempt, problem);
    history.push(
      { role: "assistant", content: reply },
      {
        role: "user",
        content: `Your JSON was wrong: ${problem}. Reply with the corrected JSON object only.`,
      },
    );
  }
  throw new ProviderError(
    llm.name,
    `${llm.model} gave no usable answer in ${attempts} tries (${problem.slice(0, 200)})`,
    {
      hint: "try again, or a stronger model (llm.model)",
    },
  );
}
