// A misspelt field in refrain.yaml: the error points at the field itself and suggests the one meant.
import { describe, expect, it } from "vitest";
import { isRefrainError } from "../src/errors/index.js";
import { parseProject } from "../src/project/index.js";

function messageOf(text: string): string {
  try {
    parseProject(text, "refrain.yaml");
  } catch (e) {
    if (isRefrainError(e)) return e.shortMessage;
    throw e;
  }
  throw new Error("parsed without an error");
}

describe("an unknown field in refrain.yaml", () => {
  it("points at the misspelt key in a section and names the field meant", () => {
    const text = "version: 1\nsong: a.mp3\nimage: b.png\noutput:\n  aspect: '16:9'\n  fsp: 30\n";
    expect(messageOf(text)).toBe('refrain.yaml:6:3: output: unknown field "fsp" — did you mean "fps"?');
  });

  it("does the same at the top level", () => {
    expect(messageOf("version: 1\nsong: a.mp3\nimage: b.png\ntitel: x\n")).toBe(
      'refrain.yaml:4:1: (top level): unknown field "titel" — did you mean "title"?',
    );
  });

  it("points to the reference when nothing is close", () => {
    expect(messageOf("version: 1\nsong: a.mp3\nimage: b.png\nwatermark: x\n")).toBe(
      'refrain.yaml:4:1: (top level): unknown field "watermark" — the README\'s refrain.yaml reference lists the fields',
    );
  });
});
