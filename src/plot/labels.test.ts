// The plot's words as plain values: the verdict first, facts, legend, ruler times, lyric text that never runs into the next, bad-cut times.
import { describe, expect, it } from "vitest";
import { song } from "../plan/testing.js";
import {
  HEADER,
  LANES,
  LEGEND,
  legendSlots,
  PLOT_COLOURS,
  type PlotLabel,
  plotAss,
  plotGeometry,
  plotLabels,
  plotVerdict,
  ROW_HEIGHT,
  textWidth,
} from "./index.js";
import { planWithCuts } from "./testing.js";

// 10 s rows 1000 px wide: x = (seconds mod 10) × 100.
const options = { width: 1000, secondsPerRow: 10 };
const ofKind = (labels: PlotLabel[], kind: PlotLabel["kind"]) => labels.filter((l) => l.kind === kind);

const twoLines = song(10)
  .beats(120)
  .line("one two", [
    ["one", 2, 3],
    ["two", 3, 4],
  ])
  .line("three", [["three", 6, 8]])
  .build();

describe("the verdict", () => {
  it("says no cut splits a word, in the calm colour, first in the header", () => {
    const labels = plotLabels(twoLines, planWithCuts(10, [3, 5]), options);
    const verdict = labels[0]!;
    expect(verdict.kind).toBe("verdict");
    expect(verdict.text).toBe("no cut inside a sung word");
    expect(verdict.colour).toEqual(PLOT_COLOURS.good);
    expect(verdict.y).toBeLessThan(HEADER.facts.y);
  });

  it("names each cut inside a word with its time and the word, in the warning red", () => {
    const labels = plotLabels(twoLines, planWithCuts(10, [3, 7.25]), options);
    expect(labels[0]!.text).toBe("1 cut inside a sung word: at 0:07.250 (three)");
    expect(labels[0]!.colour).toEqual(PLOT_COLOURS.cutInWord);
    expect(labels[0]!.bold).toBe(true);
  });

  it("counts every bad cut but names only the first four", () => {
    const s = song(20).sung(0, 20, 1).build();
    const v = plotVerdict(s, planWithCuts(20, [1, 2, 3, 4, 5, 6]));
    expect(v?.ok).toBe(false);
    expect(v?.text).toMatch(/^6 cuts inside sung words: at 0:01\.000 \(w0\.0\), /);
    expect(v?.text).toMatch(/0:04\.000 \(w0\.0\) and 2 more$/);
  });

  it("without lyric timings speaks of detected singing, not words", () => {
    const voice = song(10).vocal(2, 4).build();
    expect(plotVerdict(voice, planWithCuts(10, [5]))?.text).toBe(
      "no cut inside detected singing (no lyric timings)",
    );
    expect(plotVerdict(voice, planWithCuts(10, [3]))?.text).toBe(
      "1 cut inside detected singing: at 0:03.000",
    );
  });

  it("is left out without a plan, and the facts move up", () => {
    const labels = plotLabels(twoLines, undefined, options);
    expect(ofKind(labels, "verdict")).toEqual([]);
    expect(ofKind(labels, "facts")[0]!.y).toBe(HEADER.verdict.y);
  });
});

describe("the facts line", () => {
  it("gives the song, its length, tempo and meter, clips and cuts, provider and waste", () => {
    const plan = { ...planWithCuts(10, [3, 5]), wasteRatio: 1.125 };
    const [facts] = ofKind(plotLabels(twoLines, plan, { ...options, songName: "song.mp3" }), "facts");
    expect(facts!.text).toBe("song.mp3 · 0:10.000 · 120 BPM, 4/4 · 3 clips, 2 cuts · test, waste ratio 1.13");
  });

  it("says when the song has no steady beat", () => {
    const [facts] = ofKind(plotLabels(song(10).build(), undefined, options), "facts");
    expect(facts!.text).toBe("0:10.000 · no steady beat");
  });
});

describe("the legend", () => {
  it("labels every swatch right of it, each before the next swatch begins", () => {
    const legend = ofKind(plotLabels(twoLines, undefined, options), "legend");
    const slots = legendSlots();
    expect(legend.map((l) => l.text)).toEqual(LEGEND.map((e) => e.label));
    legend.forEach((l, i) => {
      expect(l.x).toBeGreaterThan(slots[i]!.swatch[1]);
      if (i + 1 < slots.length) expect(l.x + textWidth(l.text, l.size)).toBeLessThan(slots[i + 1]!.swatch[0]);
    });
  });

  it("fits in 1600 px, the width the CLI draws", () => {
    const last = legendSlots().at(-1)!;
    expect(last.labelX + textWidth(last.entry.label, HEADER.legend.size)).toBeLessThan(1600);
  });
});

describe("the ruler's times", () => {
  const long = song(25).build();
  const times = ofKind(plotLabels(long, undefined, options), "time");

  it("labels every 5 s as m:ss, under the ruler of the row it falls in", () => {
    expect(times.map((t) => t.text)).toEqual(["0:00", "0:05", "0:10", "0:15", "0:20"]);
    const g = plotGeometry(long.durationSamples, options);
    expect(times.map((t) => t.y)).toEqual([0, 0, 1, 1, 2].map((r) => g.rowTop(r) + LANES.rulerText[0]));
  });

  it("centres a time under its tick, but keeps one at a row's start inside the picture", () => {
    expect(times[1]).toMatchObject({ x: 500, align: 8 });
    expect(times[0]).toMatchObject({ align: 7 });
    expect(times[0]!.x).toBeLessThan(5);
  });

  it("writes minutes past the first", () => {
    const s = song(130).build();
    const texts = ofKind(plotLabels(s, undefined, { secondsPerRow: 30 }), "time").map((t) => t.text);
    expect(texts).toContain("1:05");
    expect(texts.at(-1)).toBe("2:05");
  });
});

describe("the lyric text", () => {
  const lyricY = HEADER.height + LANES.lyricText[0];

  it("starts each line's text at the line's start, in the lane above its bar", () => {
    const lyrics = ofKind(plotLabels(twoLines, undefined, options), "lyric");
    expect(lyrics.map((l) => [l.text, l.x, l.y])).toEqual([
      ["one two", 201, lyricY],
      ["three", 601, lyricY],
    ]);
  });

  it("clips a line's text where the next line's text begins", () => {
    const s = song(10)
      .plainLine("a long line of lyrics that cannot fit", 1, 2)
      .plainLine("next", 2.5, 3)
      .build();
    const [first, next] = ofKind(plotLabels(s, undefined, options), "lyric");
    expect(first!.clipRight).toBeLessThan(next!.x);
    expect(first!.clipRight).toBeGreaterThan(200);
    // Shortened by the estimate too, so the clip rarely cuts a glyph in half.
    expect(first!.text.endsWith("…")).toBe(true);
    expect(first!.x + textWidth(first!.text, first!.size)).toBeLessThanOrEqual(first!.clipRight!);
  });

  it("leaves out a line with no room before the next, and keeps whole CJK text where it fits", () => {
    const s = song(10).plainLine("被挤掉", 1, 1.1).plainLine("月亮照在小河上", 1.15, 3).build();
    const lyrics = ofKind(plotLabels(s, undefined, options), "lyric");
    expect(lyrics.map((l) => l.text)).toEqual(["月亮照在小河上"]);
  });

  it("moves a line that starts too near a row's end to the start of the next row", () => {
    const s = song(20).plainLine("over the edge", 9.9, 12).build();
    const [l] = ofKind(plotLabels(s, undefined, options), "lyric");
    expect(l).toMatchObject({ text: "over the edge", x: 1, y: lyricY + ROW_HEIGHT });
  });
});

describe("the times of bad cuts", () => {
  it("puts the time of each cut inside a word in red beside it, and none for a good cut", () => {
    const cuts = ofKind(plotLabels(twoLines, planWithCuts(10, [3, 7.25]), options), "cut");
    expect(cuts).toHaveLength(1);
    expect(cuts[0]).toMatchObject({ text: "0:07.250", colour: PLOT_COLOURS.cutInWord, boxed: true });
    expect(Math.abs(cuts[0]!.x - 725)).toBeLessThan(10);
    expect(cuts[0]!.y).toBe(HEADER.height + 2);
  });

  it("stacks the times of two close bad cuts instead of overlapping them", () => {
    const s = song(10).sung(1, 9, 1).build();
    const [a, b] = ofKind(plotLabels(s, planWithCuts(10, [5, 5.2]), options), "cut");
    expect(b!.y).toBeGreaterThan(a!.y);
  });

  it("puts a time left of a cut near the row's right edge", () => {
    const s = song(10).sung(1, 9.99, 1).build();
    const [c] = ofKind(plotLabels(s, planWithCuts(10, [9.9]), options), "cut");
    expect(c!.align).toBe(9);
    expect(c!.x).toBeLessThan(990);
  });
});

describe("plotAss", () => {
  const size = { width: 1000, height: 300 };

  it("is sized to the image, so a label lands on the pixel its layout says", () => {
    const ass = plotAss([], size);
    expect(ass).toMatch(/^PlayResX: 1000$/m);
    expect(ass).toMatch(/^PlayResY: 300$/m);
    expect(ass).toMatch(/^WrapStyle: 2$/m);
    expect(ass).toMatch(/^Style: Label,Noto Sans CJK SC,/m);
  });

  it("writes one positioned Dialogue per label, with its size, colour and clip", () => {
    const ass = plotAss(
      [
        { kind: "lyric", text: "你好", x: 12.4, y: 40, size: 16, colour: [235, 0, 0], clipRight: 300 },
        { kind: "time", text: "0:05", x: 500, y: 80, size: 14, colour: [60, 60, 60], align: 8, bold: true },
      ],
      size,
    );
    const events = ass.split("\n").filter((l) => l.startsWith("Dialogue:"));
    expect(events).toEqual([
      "Dialogue: 0,0:00:00.00,9:00:00.00,Label,,0,0,0,,{\\an7\\pos(12,40)\\fs16\\c&H0000EB&\\clip(0,0,300,300)}你好",
      "Dialogue: 0,0:00:00.00,9:00:00.00,Label,,0,0,0,,{\\an8\\pos(500,80)\\fs14\\c&H3C3C3C&\\b1}0:05",
    ]);
  });

  it("escapes a song name that looks like ASS tags and keeps it on one line", () => {
    const labels = plotLabels(song(10).build(), undefined, { ...options, songName: "{\\b1}odd\nname.mp3" });
    const ass = plotAss(labels, size);
    expect(ass).toContain("\\{\uFF3Cb1\\}odd name.mp3 · 0:10.000");
  });
});
