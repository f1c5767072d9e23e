// The generate stage in continuity mode with the free `local` provider: real clips, real last frames, the real face check.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Analysis } from "../analysis/types.js";
import { drawDemoSinger } from "../demo/index.js";
import type { JobSpec } from "../engine/index.js";
import { findTools, runFfmpeg, writePng } from "../media/index.js";
import type { Plan, Segment } from "../plan/types.js";
import { hashFile } from "../store/index.js";
import { SAMPLE_RATE } from "../time/index.js";
import { generateStage } from "./generate.js";
import { openSession, type Session } from "./session.js";

const tools = findTools(process.env);
const FRAMES = 25; // the local provider's least: one second at 25 fps
const SAMPLES = SAMPLE_RATE; // one second per segment

function segment(index: number, section: string): Segment {
  return {
    index,
    start: index * SAMPLES,
    end: (index + 1) * SAMPLES,
    frames: FRAMES,
    kind: "vocal",
    handleBefore: 0,
    handleAfter: 0,
    generateFrames: FRAMES,
    section,
  };
}

const plan: Plan = {
  provider: "local",
  fps: { num: 25, den: 1 },
  durationSamples: 4 * SAMPLES,
  segments: [segment(0, "Verse 1"), segment(1, "Verse 1"), segment(2, "Verse 1"), segment(3, "Chorus")],
  cuts: [SAMPLES, 2 * SAMPLES, 3 * SAMPLES],
  wasteRatio: 1,
  warnings: [],
};
// The generate stage reads only the beats of an analysis.
const analysis = { beats: [] } as unknown as Analysis;

let dir: string;
let session: Session;
const log: string[] = [];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "refrain-continuity-pipeline-"));
  await writePng(tools, drawDemoSinger(256, 256), join(dir, "singer.png"));
  await runFfmpeg(tools, ["-f", "lavfi", "-i", "sine=f=220:d=4", "-ar", "48000", join(dir, "song.wav")]);
  await writeFile(
    join(dir, "refrain.yaml"),
    "version: 1\nsong: song.wav\nimage: singer.png\noutput:\n  resolution: 144\n  aspect: '1:1'\ncontinuity:\n  sections: [verse]\n  reanchor_every: 4\n",
  );
  session = await openSession(dir, { tools, log: (l) => log.push(l) });
}, 20_000);
afterAll(async () => {
  await session?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("generateStage with continuity: sections [verse]", () => {
  it("starts each verse segment from the last frame of the one before, and the chorus from the key image", async () => {
    const report = await generateStage(session, plan, analysis);
    expect(report.failed).toEqual([]);
    expect(report.succeeded.map((s) => s.segment).sort()).toEqual([0, 1, 2, 3]);
    const takes = await session.store.listTakes();
    const of = (i: number) => takes.find((t) => t.segment === i)!;
    const keyHash = await hashFile(join(dir, "singer.png"));
    expect(of(0).imageHash).toBe(keyHash);
    expect(of(3).imageHash).toBe(keyHash);
    for (const i of [1, 2]) {
      const spec = of(i).spec as JobSpec;
      expect(spec.startFrom?.takeId).toBe(of(i - 1).id);
      expect(await hashFile(spec.image)).toBe(of(i).imageHash);
      expect(of(i).imageHash).not.toBe(keyHash);
    }
    // The demo singer's face survives the local provider's motion, so nothing re-anchored.
    expect(log.filter((l) => l.includes("no face"))).toEqual([]);
  }, 60_000);

  it("a second run finds every chained job again and submits nothing", async () => {
    const report = await generateStage(session, plan, analysis);
    expect(report.submissions).toBe(0);
    expect(report.succeeded.every((s) => s.earlier)).toBe(true);
    expect((await session.store.listTakes()).filter((t) => t.stale)).toEqual([]);
  }, 30_000);
});
