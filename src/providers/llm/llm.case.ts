// The conformance suite every chat model endpoint passes: the three helper answers, validated.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Llm } from "./chat.js";
import { draftVideoPrompts, proposeStyle, reviseSection } from "./helper.js";

export interface LlmSuiteOptions {
  readonly name: string;
  readonly start: () => Promise<{ llm: Llm; close: () => Promise<void> }>;
}

const LYRICS = "[Verse]\nheadlights on the road\n\n[Chorus]\nwe drive until the morning";

export function runLlmSuite(options: LlmSuiteOptions): void {
  describe(`llm ${options.name}`, () => {
    let llm: Llm;
    let close: () => Promise<void>;
    beforeAll(async () => {
      ({ llm, close } = await options.start());
    });
    afterAll(() => close?.());

    it("proposes a style prompt and a tag for every section", async () => {
      const p = await proposeStyle(llm, LYRICS, "a night-drive anthem");
      expect(p.style.length).toBeGreaterThan(0);
      expect(p.sections.map((s) => s.name)).toEqual(["Verse", "Chorus"]);
    });

    it("revises one section", async () => {
      const r = await reviseSection(llm, LYRICS, "Chorus", "more anthemic");
      expect(r.lines.length).toBeGreaterThan(0);
      expect(r.tag).toMatch(/Chorus/);
    });

    it("drafts singing and instrumental video prompts", async () => {
      const v = await draftVideoPrompts(
        llm,
        [
          { name: "Verse", kind: "singing", text: "headlights on the road" },
          { name: "Instrumental", kind: "instrumental", text: "" },
        ],
        "neon night",
      );
      expect(v.singing).not.toEqual(v.instrumental);
      expect(v.sections.length).toBeGreaterThan(0);
    });
  });
}
