// lyricsfile: the text a song is written in (header + Suno meta-tag sections), its checks, and the Chinese pronunciation check.
export type { Finding, LyricsLimits, MusicApi } from "./check.js";
export { checkLyrics, KNOWN_TAGS, lyricsLimits, MUSIC_APIS } from "./check.js";
export type { LyricsFile, LyricsHeader, LyricsLine, LyricsSection } from "./parse.js";
export { parseLyricsFile, splitTag } from "./parse.js";
export type { PronunciationFinding, Replacement } from "./pinyin.js";
export { applyReplacements, checkPronunciation, homophonesOf } from "./pinyin.js";
export { readLyricsFile } from "./read.js";
