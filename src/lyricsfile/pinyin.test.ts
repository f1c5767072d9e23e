// The Chinese pronunciation check: which characters a singing model would likely misread, and what to write instead.
import { describe, expect, it } from "vitest";
import { applyReplacements, checkPronunciation, homophonesOf } from "./index.js";

const flagged = (text: string) => checkPronunciation(text).map((f) => `${f.char}:${f.intended}`);

describe("checkPronunciation", () => {
  it.each([
    ["我在银行上班", "行:háng"],
    ["我们都长大了", "长:zhǎng"],
    ["重新开始", "重:chóng"],
    ["我要归还", "还:huán"],
    ["音乐响起", "乐:yuè"],
    ["我想睡觉", "觉:jiào"],
    ["我了解你", "了:liǎo"],
    ["慢慢地走", "地:de"],
    ["你跑得快", "得:de"],
    ["你别着急", "着:zháo"],
    ["成为英雄", "为:wéi"],
    ["丢三落四", "落:là"],
  ])("flags the reading a character-by-character singer gets wrong in %s", (text, expected) => {
    expect(flagged(text)).toContain(expected);
  });

  it.each([
    "一起行走",
    "长城很长",
    "这很重要",
    "还有明天",
    "快乐的人",
    "觉醒的我",
    "他走了",
    "得到一切",
    "这片土地",
    "看着我",
    "因为爱",
    "落下泪水",
  ])("leaves the usual reading alone in %s", (text) => {
    expect(flagged(text)).toEqual([]);
  });

  it("says where, and suggests characters with only the intended reading", () => {
    const [f] = checkPronunciation("[Verse]\nhello\n我在银行", 5);
    expect(f).toMatchObject({ line: 7, column: 4, char: "行", intended: "háng", usual: "xíng" });
    expect(f!.suggestions.length).toBeGreaterThan(0);
    for (const s of f!.suggestions) expect(homophonesOf("háng")).toContain(s);
  });

  it("suggests only common characters that cannot be read another way", () => {
    const list = homophonesOf("chóng", 50);
    expect(list).toContain("虫");
    expect(list).not.toContain("重");
  });

  it("offers no homophone where none exists (neutral-tone particles)", () => {
    const f = checkPronunciation("慢慢地走").find((x) => x.char === "地");
    expect(f?.suggestions).toEqual([]);
  });
});

describe("applyReplacements", () => {
  it("writes the accepted replacements and skips stale ones", () => {
    const text = "[Chorus]\n我在银行\n重新开始";
    const { text: out, skipped } = applyReplacements(text, [
      { line: 2, column: 4, char: "行", with: "航" },
      { line: 3, column: 2, char: "重", with: "虫" },
    ]);
    expect(out).toBe("[Chorus]\n我在银航\n重新开始");
    expect(skipped).toHaveLength(1);
  });
});
