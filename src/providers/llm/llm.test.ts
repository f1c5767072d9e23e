// The LLM helper against the fake OpenAI-compatible server: JSON found in replies, validated, retried, then a clear error.
import { afterEach, describe, expect, it } from "vitest";
import { type ChatBehaviour, startChatFake } from "../../../fakes/openai-chat/server.js";
import { ProviderError } from "../../errors/index.js";
import { createChatLlm, extractJson, proposeStyle } from "./index.js";
import { runLlmSuite } from "./llm.case.js";

runLlmSuite({
  name: "OpenAI-compatible with a key",
  start: async () => {
    const fake = await startChatFake({ key: "sk-test" });
    return {
      llm: createChatLlm({ base_url: `${fake.url}/v1`, model: "gpt-test" }, { OPENAI_API_KEY: "sk-test" }),
      close: fake.close,
    };
  },
});

runLlmSuite({
  name: "OpenAI-compatible without a key (Ollama, llama.cpp), fenced replies",
  start: async () => {
    const fake = await startChatFake({ behaviours: ["chat-fenced"] });
    return { llm: createChatLlm({ base_url: `${fake.url}/v1`, model: "llama3.1" }, {}), close: fake.close };
  },
});

describe("extractJson", () => {
  it("finds JSON bare, in fences, or inside prose", () => {
    expect(extractJson('{"a":1}')).toEqual({ a: 1 });
    expect(extractJson('Here:\n```json\n{"a": [1, "}"]}\n```')).toEqual({ a: [1, "}"] });
    expect(extractJson('Sure thing. {"a": {"b": 2}} Hope it helps')).toEqual({ a: { b: 2 } });
    expect(() => extractJson("no json here")).toThrow(SyntaxError);
  });
});

describe("validation and retries", () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    while (closers.length) await closers.pop()!();
  });
  async function llmWith(behaviours: ChatBehaviour[]) {
    const fake = await startChatFake({ behaviours });
    closers.push(fake.close);
    return { fake, llm: createChatLlm({ base_url: `${fake.url}/v1`, model: "m" }, {}) };
  }

  it("retries an answer that is not JSON, telling the model what was wrong", async () => {
    const { fake, llm } = await llmWith(["chat-invalid-json-first"]);
    const retries: string[] = [];
    const p = await proposeStyle(llm, "[Chorus]\nla", "pop", { onRetry: (_, why) => retries.push(why) });
    expect(p.style).toBeTruthy();
    expect(fake.requests).toHaveLength(2);
    expect(fake.requests[1]!.messages.at(-1)!.content).toMatch(/not valid JSON/);
    expect(retries).toHaveLength(1);
  });

  it("retries JSON of the wrong shape, naming the missing field", async () => {
    const { fake, llm } = await llmWith(["chat-wrong-shape-first"]);
    await proposeStyle(llm, "[Chorus]\nla", "pop");
    expect(fake.requests[1]!.messages.at(-1)!.content).toMatch(/style/);
  });

  it("gives up after three tries with one line", async () => {
    const { fake, llm } = await llmWith(["chat-always-invalid"]);
    const e = await proposeStyle(llm, "[Chorus]\nla", "pop").catch((x) => x);
    expect(e).toBeInstanceOf(ProviderError);
    expect(e.shortMessage).toMatch(/no usable answer in 3 tries/);
    expect(e.shortMessage).not.toContain("\n");
    expect(fake.requests).toHaveLength(3);
  });

  it("names the key variable when the server refuses it, without showing the key", async () => {
    const fake = await startChatFake({ key: "sk-right" });
    closers.push(fake.close);
    const llm = createChatLlm({ base_url: `${fake.url}/v1`, model: "m" }, { OPENAI_API_KEY: "sk-wrong-987" });
    const e = await proposeStyle(llm, "[Chorus]\nla", "pop").catch((x) => x);
    expect(e.shortMessage).toMatch(/OPENAI_API_KEY is not valid/);
    expect(e.shortMessage).not.toContain("sk-wrong-987");
  });

  it("asks for a model name rather than guessing one", () => {
    expect(() => createChatLlm({}, {})).toThrow(/llm\.model is not set/);
  });
});
