// Replacing the project's image: the next generate makes new takes and the video uses them, not the old picks.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Analysis } from "../src/analysis/types.js";
import { main } from "../src/cli/index.js";
import { drawDemoSinger } from "../src/demo/index.js";
import { pickTake, rerollSegment } from "../src/engine/index.js";
import { findTools, runFfmpeg, writePng } from "../src/media/index.js";
import { generateStage, openSession, runJobs, type Session } from "../src/pipeline/index.js";
import type { Plan, Segment } from "../src/plan/types.js";
import { hashFile } from "../src/store/index.js";
import { SAMPLE_RATE } from "../src/time/index.js";

const tools = findTools(process.env);
const FRAMES = 25; // the local provider's least: one second at 25 fps

function segment(index: number): Segment {
  return {
    index,
    start: index * SAMPLE_RATE,
    end: (index + 1) * SAMPLE_RATE,
    frames: FRAMES,
    kind: "vocal",
    handleBefore: 0,
    handleAfter: 0,
    generateFrames: FRAMES,
  };
}

const plan: Plan = {
  provider: "local",
  fps: { num: 25, den: 1 },
  durationSamples: 2 * SAMPLE_RATE,
  segments: [segment(0), segment(1)],
  cuts: [SAMPLE_RATE],
  wasteRatio: 1,
  warnings: [],
};
// The generate stage reads only the beats of an analysis.
const analysis = { beats: [] } as unknown as Analysis;

let dir: string;
let session: Session;
const image = () => join(dir, "singer.png");

async function pickedImageHashes(): Promise<string[]> {
  const takes = await session.store.listTakes();
  return takes
    .filter((t) => t.picked)
    .sort((a, b) => a.segment - b.segment)
    .map((t) => t.imageHash);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "refrain-image-change-"));
  await writePng(tools, drawDemoSinger(128, 128), image());
  await runFfmpeg(tools, ["-f", "lavfi", "-i", "sine=f=220:d=2", "-ar", "48000", join(dir, "song.wav")]);
  await writeFile(
    join(dir, "refrain.yaml"),
    "version: 1\nsong: song.wav\nimage: singer.png\noutput:\n  resolution: 144\n  aspect: '1:1'\n",
  );
  session = await openSession(dir, { tools, log: () => {} });
}, 20_000);
afterAll(async () => {
  await session?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("changing the project's image", () => {
  it("moves every segment's pick to a take of the new image", async () => {
    await generateStage(session, plan, analysis);
    const before = await hashFile(image());
    expect(await pickedImageHashes()).toEqual([before, before]);

    await runFfmpeg(tools, ["-f", "lavfi", "-i", "color=c=navy:s=128x128", "-frames:v", "1", image()]);
    const after = await hashFile(image());
    const report = await generateStage(session, plan, analysis);
    expect(report.succeeded.filter((s) => !s.earlier)).toHaveLength(2);
    expect(await pickedImageHashes()).toEqual([after, after]);
  }, 60_000);

  it("keeps a take of the current image that was picked by hand", async () => {
    const jobs = await rerollSegment(session.store, 0, { seeds: [777] });
    const rerolled = await runJobs(session, jobs);
    const chosen = rerolled.succeeded[0]!.takeId;
    await pickTake(session.store, 0, chosen);

    const report = await generateStage(session, plan, analysis);
    expect(report.submissions).toBe(0);
    const picked = (await session.store.listTakes()).filter((t) => t.picked && t.segment === 0);
    expect(picked.map((t) => t.id)).toEqual([chosen]);
  }, 60_000);

  it("keeps a take of the old image picked by hand after the change", async () => {
    const old = (await session.store.listTakes({ segment: 1 })).find((t) => !t.picked)!;
    await pickTake(session.store, 1, old.id);
    await generateStage(session, plan, analysis);
    const picked = (await session.store.listTakes({ segment: 1 })).filter((t) => t.picked);
    expect(picked.map((t) => t.id)).toEqual([old.id]);
  }, 60_000);

  it("files a reroll made after the change under the new image, and says how to use it", async () => {
    await runFfmpeg(tools, ["-f", "lavfi", "-i", "color=c=olive:s=128x128", "-frames:v", "1", image()]);
    const out: string[] = [];
    const code = await main(["node", "refrain", "reroll", "1", "--seed", "4242"], {
      stdout: (t) => out.push(t),
      stderr: () => {},
      cwd: dir,
      interactive: false,
    });
    expect(code).toBe(0);
    const take = (await session.store.listTakes({ segment: 1 })).find((t) => t.seed === 4242)!;
    expect(take.imageHash).toBe(await hashFile(image()));
    expect(out.join("\n")).toContain(
      `1 new take(s) for segment 1: ${take.id}; 0 failed — use one with \`refrain pick 1 <take>\``,
    );
  }, 60_000);

  it("lists a pick of a segment the plan no longer has without the star of a picked take", async () => {
    const takes = await session.store.listTakes({ segment: 0 });
    // A re-plan that keeps only segment 1: segment 0's takes are stale.
    const keep = (await session.store.listTakes({ segment: 1 }))[0]!.segmentKey;
    await session.store.markStale([keep]);
    const out: string[] = [];
    await main(["node", "refrain", "takes", "0", "--no-measure"], {
      stdout: (t) => out.push(t),
      stderr: () => {},
      cwd: dir,
      interactive: false,
    });
    const picked = takes.find((t) => t.picked)!;
    const line = out.find((l) => l.includes(picked.id))!;
    expect(line).toMatch(/^\s+0 {3}/);
    expect(line).toContain("(stale: was picked for a segment the plan no longer has)");
  }, 30_000);
});
