// A fake OpenAI-compatible chat server (POST /v1/chat/completions) on 127.0.0.1, answering by the schema named in the system prompt.
//
// Replies: `schema: style` → a style proposal, `schema: section` → a revised section, `schema: video` →
// video prompts; anything else echoes the last user message. With a key set, requests without
// `Authorization: Bearer <key>` get 401 {"error":{"message","type","code"}} as OpenAI answers.
// Behaviours: chat-invalid-json-first (prose first, then JSON), chat-fenced (JSON in ```json fences
// with a sentence before), chat-always-invalid, chat-wrong-shape-first (valid JSON missing a field).
import { isMain, Once } from "../shared/hosted.js";
import { closeServer, createServer, listenLoopback, readBody, sendJson } from "../shared/http.js";

export type ChatBehaviour =
  | "chat-invalid-json-first"
  | "chat-fenced"
  | "chat-always-invalid"
  | "chat-wrong-shape-first";

export interface ChatFakeOptions {
  key?: string;
  behaviours?: readonly ChatBehaviour[];
  port?: number;
}

export interface ChatFake {
  url: string;
  /** Every request body received. */
  requests: { model: string; messages: { role: string; content: string }[] }[];
  close(): Promise<void>;
}

function answer(messages: { role: string; content: string }[]): unknown {
  const system = messages.find((m) => m.role === "system")?.content ?? "";
  const user = [...messages].reverse().find((m) => m.role === "user")?.content ?? "";
  const firstUser = messages.find((m) => m.role === "user")?.content ?? "";
  const tags = [...firstUser.matchAll(/^\[([^\]]+)\]/gm)].map((m) => m[1]!.split(/\s*[-(]/)[0]!.trim());
  const schema = /^schema: (\w+)/.exec(system)?.[1];
  if (schema === "style") {
    return {
      style: "dreamy synth-pop, female vocals, warm pads, 100 bpm",
      exclude: "heavy metal, screaming",
      sections: tags.map((name) => ({
        name,
        tag: name.toLowerCase().startsWith("chorus") ? `${name} - anthemic` : name,
      })),
    };
  }
  if (schema === "section") {
    const name = /section "([^"]+)"/.exec(user)?.[1] ?? "Chorus";
    return { tag: `${name} - anthemic`, lines: ["we rise into the light", "(into the light)"] };
  }
  if (schema === "video") {
    return {
      singing: "the singer sings to the camera, soft studio light",
      instrumental: "the singer listens with eyes half closed, mouth closed, gentle sway",
      sections: tags.map((name) => ({ name, prompt: `${name}: the singer in warm light` })),
    };
  }
  return { echo: user };
}

export async function startChatFake(options: ChatFakeOptions = {}): Promise<ChatFake> {
  const b = new Set(options.behaviours ?? []);
  const once = new Once({
    "chat-invalid-json-first": b.has("chat-invalid-json-first") ? 1 : 0,
    "chat-wrong-shape-first": b.has("chat-wrong-shape-first") ? 1 : 0,
  });
  const requests: ChatFake["requests"] = [];
  const server = createServer(async (req, res) => {
    const u = new URL(req.url ?? "/", "http://x");
    if (req.method !== "POST" || u.pathname !== "/v1/chat/completions") {
      sendJson(res, 404, {
        error: { message: `Unknown request URL: ${req.method} ${u.pathname}`, type: "invalid_request_error" },
      });
      return;
    }
    if (options.key && req.headers.authorization !== `Bearer ${options.key}`) {
      sendJson(res, 401, {
        error: {
          message: "Incorrect API key provided",
          type: "invalid_request_error",
          code: "invalid_api_key",
        },
      });
      return;
    }
    const body = JSON.parse((await readBody(req))?.toString("utf8") || "{}");
    if (!body.model || !Array.isArray(body.messages)) {
      sendJson(res, 400, {
        error: { message: "model and messages are required", type: "invalid_request_error" },
      });
      return;
    }
    requests.push(body);
    let content: string;
    const value = answer(body.messages);
    if (b.has("chat-always-invalid") || once.take("chat-invalid-json-first")) {
      content = "Sure! Here is a lovely style for your song: dreamy synth-pop with warm pads.";
    } else if (once.take("chat-wrong-shape-first")) {
      content = JSON.stringify({ note: "forgot the fields" });
    } else if (b.has("chat-fenced")) {
      content = `Here you go:\n\`\`\`json\n${JSON.stringify(value, null, 2)}\n\`\`\`\nEnjoy!`;
    } else {
      content = JSON.stringify(value);
    }
    sendJson(res, 200, {
      id: `chatcmpl-${requests.length}`,
      object: "chat.completion",
      created: 1_700_000_000,
      model: body.model,
      choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
      usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 },
    });
  });
  const url = await listenLoopback(server, options.port);
  return { url, requests, close: () => closeServer(server) };
}

if (isMain(import.meta.url)) {
  const fake = await startChatFake({ port: Number(process.env.PORT ?? 0) });
  process.stdout.write(`chat fake on ${fake.url}/v1\n`);
}
