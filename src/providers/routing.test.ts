// Routing by segment kind: which provider settings instrumental and vocal segments get.
import { describe, expect, test } from "vitest";
import { UserInputError } from "../errors/index.js";
import { providerForSegment, providersInUse } from "./routing.js";

const clip = {
  provider: "fal",
  model: "infinitalk",
  resolution: "720p",
  instrumental: { provider: "local" },
};

describe("providerForSegment", () => {
  test("vocal segments use the base settings, without the routing keys", () => {
    expect(providerForSegment(clip, "vocal")).toEqual({
      provider: "fal",
      model: "infinitalk",
      resolution: "720p",
    });
  });

  test("instrumental segments go to another provider with only its own settings", () => {
    expect(providerForSegment(clip, "instrumental")).toEqual({ provider: "local" });
  });

  test("an override for the same provider is merged over the base", () => {
    const c = {
      provider: "fal",
      model: "infinitalk",
      resolution: "720p",
      instrumental: { resolution: "480p" },
    };
    expect(providerForSegment(c, "instrumental")).toEqual({
      provider: "fal",
      model: "infinitalk",
      resolution: "480p",
    });
    expect(providerForSegment(c, "vocal").resolution).toBe("720p");
  });

  test("a vocal override routes vocals while instrumentals keep the base", () => {
    const c = { provider: "local", vocal: { provider: "alibaba", model: "wan2.2-s2v" } };
    expect(providerForSegment(c, "vocal")).toEqual({ provider: "alibaba", model: "wan2.2-s2v" });
    expect(providerForSegment(c, "instrumental")).toEqual({ provider: "local" });
  });

  test("without overrides every segment uses the one provider", () => {
    expect(providerForSegment({ provider: "fal" }, "instrumental")).toEqual({ provider: "fal" });
    expect(providersInUse({ provider: "fal" })).toHaveLength(1);
    expect(providersInUse(clip).map((s) => s.provider)).toEqual(["fal", "local"]);
  });

  test("malformed overrides are one-line UserInputErrors naming the field", () => {
    expect(() => providerForSegment({ provider: "fal", instrumental: "local" }, "instrumental")).toThrow(
      /clip\.instrumental/,
    );
    expect(() =>
      providerForSegment({ provider: "fal", instrumental: { provider: 3 } }, "instrumental"),
    ).toThrow(UserInputError);
  });
});
