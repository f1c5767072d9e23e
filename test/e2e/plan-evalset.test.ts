// refrain plan on songs of the evaluation set: no cut inside a sung word, with lyrics (LRC, Suno aligned words) or without (voice detection).
//
// The songs are built on the fly (sox, espeak-ng, ffmpeg; bench/evalset/build.ts) in a temp dir,
// with word times known from construction. fast-170 is the English song the voice detector hears
// latest (up to a second after a line starts), so it guards the planner's margin before detected
// onsets; mandarin-128 is sung by espeak-ng's cmn voice, with no spaces between words in its lyrics.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildEvalset } from "../../bench/evalset/build.js";
import type { PlanTruth } from "../../bench/evalset/score.js";
import { main } from "../../src/cli/index.js";

const SONGS = ["fast-170", "mandarin-128"];
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "refrain-plan-evalset-"));
  await buildEvalset(dir, (s) => SONGS.includes(s.id));
}, 60_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function plan(args: string[]): Promise<{ cuts_s: number[]; waste_ratio: number; warnings: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(["node", "refrain", "plan", ...args, "--provider", "infinitetalk", "--json"], {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    cwd: dir,
    interactive: false,
    signal: new AbortController().signal,
  });
  expect(code, err.join("\n")).toBe(0);
  return JSON.parse(out.join("\n"));
}

/** The true words a cut falls strictly inside, as "word start–end @cut" for the failure message. */
function cutWords(cuts: number[], truth: PlanTruth): string[] {
  return cuts.flatMap((c) =>
    truth.words
      .filter((w) => w.start_s < c && c < w.end_s)
      .map((w) => `"${w.text}" ${w.start_s}–${w.end_s} @${c}`),
  );
}

describe.each(SONGS)("refrain plan %s for InfiniteTalk", (id) => {
  let truth: PlanTruth & { duration_s: number };
  beforeAll(async () => {
    truth = JSON.parse(await readFile(join(dir, `${id}.json`), "utf8"));
  });

  it.each([
    ["without lyrics (voice detection)", [] as string[]],
    ["with an enhanced LRC", ["--lyrics", `${id}.lrc`]],
    ["with Suno aligned words", ["--lyrics", `${id}.suno.json`]],
    ["with a rough Suno alignment (edges off by up to 80 ms)", ["--lyrics", `${id}.suno-rough.json`]],
  ])("%s cuts between words, never inside one", async (_, lyricArgs) => {
    const file = truth.file;
    const p = await plan([file, ...lyricArgs]);
    expect(p.cuts_s.length).toBeGreaterThan(0);
    expect(cutWords(p.cuts_s, truth)).toEqual([]);
    // Every cut is in the song, and the plan generates what it shows plus handles and padding only.
    for (const c of p.cuts_s) expect(c > 0 && c < truth.duration_s).toBe(true);
    expect(p.waste_ratio).toBeGreaterThanOrEqual(1);
  });
});
