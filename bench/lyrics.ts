// How long parsing lyric files takes, against reading the same text line by line as a baseline.
// Run: npx tsx bench/lyrics.ts

import { parseLyrics, placePlainLyrics, toLrc, wordSpans } from "../src/analysis/lyrics/index.js";
import { secondsToSamples } from "../src/time/index.js";

function clock(cs: number): string {
  const m = Math.floor(cs / 6000);
  const s = Math.floor((cs % 6000) / 100);
  return `${String(m).padStart(2, "0")}:${String(s).padStart(2, "0")}.${String(cs % 100).padStart(2, "0")}`;
}

/** An enhanced LRC far longer than any song: `lines` lines of six timed words, a section every 8 lines. */
function bigEnhancedLrc(lines: number): string {
  const out: string[] = [];
  let cs = 100;
  for (let i = 0; i < lines; i++) {
    if (i % 8 === 0) out.push(`[${i % 16 === 0 ? "Verse" : "Chorus"}]`);
    const words = Array.from({ length: 6 }, (_, k) => `<${clock(cs + k * 40)}>word${k} `).join("");
    out.push(`[${clock(cs)}]${words}<${clock(cs + 240)}>`);
    cs += 300;
  }
  return out.join("\n");
}

function bigSuno(words: number): string {
  return JSON.stringify({
    data: {
      alignedWords: Array.from({ length: words }, (_, i) => ({
        word: i % 48 === 0 ? "[Verse]\nla " : i % 6 === 5 ? "la\n" : "la ",
        startS: i * 0.4,
        endS: i * 0.4 + 0.3,
        success: true,
        palign: 0,
      })),
    },
  });
}

function time(label: string, runs: number, f: () => unknown): number {
  f();
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) f();
  const ms = (performance.now() - t0) / runs;
  console.log(`${label.padEnd(44)} ${ms.toFixed(3)} ms`);
  return ms;
}

const lrc = bigEnhancedLrc(2000);
const suno = bigSuno(12000);
const plain = Array.from({ length: 2000 }, (_, i) =>
  i % 10 === 0 ? "[Chorus]" : `Line number ${i} of the song`,
).join("\n");

// Baseline: the least any parser must do, splitting lines and matching one regex per line.
const base = time("baseline: split + one regex per line (LRC)", 20, () =>
  lrc.split(/\r\n|\r|\n/).filter((l) => /^\[\d+:\d+\.\d+\]/.test(l)),
);
const parsed = time("parseLyrics enhanced LRC, 2000 lines", 20, () => parseLyrics(lrc, "big.lrc"));
const baseJson = time("baseline: JSON.parse (Suno, 12000 words)", 20, () => JSON.parse(suno));
const parsedSuno = time("parseLyrics Suno JSON, 12000 words", 20, () => parseLyrics(suno, "big.json"));
const lyrics = parseLyrics(lrc, "big.lrc");
time("toLrc, 2000 lines", 20, () => toLrc(lyrics));
time("wordSpans, 12000 words", 20, () => wordSpans(lyrics));
const plainLyrics = parseLyrics(plain, "big.txt");
const vocal = Array.from({ length: 400 }, (_, i) => ({
  start: secondsToSamples(i * 10),
  end: secondsToSamples(i * 10 + 8),
}));
time("placePlainLyrics, 1800 lines over 400 spans", 20, () =>
  placePlainLyrics(plainLyrics, vocal, secondsToSamples(4000)),
);
console.log(`ratio parseLyrics/baseline (LRC): ${(parsed / base).toFixed(1)}×`);
console.log(`ratio parseLyrics/JSON.parse (Suno): ${(parsedSuno / baseJson).toFixed(1)}×`);
