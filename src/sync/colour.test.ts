// Colour matching: clips with a known cast end up close to the key image after the computed filter.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findTools, runFfmpeg } from "../media/index.js";
import { colourCorrection, colourDrift, colourStats, planeStats } from "./index.js";
import { encodeFixtureClip } from "./testing.js";

const tools = findTools();
let dir: string;
const key = () => join(dir, "key.png");
const source = "testsrc2=s=320x180:r=25:d=1";

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "refrain-colour-"));
  await runFfmpeg(tools, ["-f", "lavfi", "-i", source, "-frames:v", "1", key()]);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function castClip(name: string, cast: string): Promise<string> {
  return encodeFixtureClip(tools, ["-f", "lavfi", "-i", source], cast, join(dir, `${name}.mp4`));
}

async function corrected(clip: string, filter: string): Promise<string> {
  return encodeFixtureClip(tools, ["-i", clip], filter, clip.replace(/\.mp4$/, ".fixed.mp4"));
}

describe("planeStats", () => {
  it("measures mean and spread per plane of planar frames", () => {
    // Two frames of two pixels: Y, U, V planes one after another in each frame.
    const s = planeStats(new Uint8Array([0, 100, 10, 10, 200, 100, 0, 100, 10, 10, 200, 100]), 2, 2);
    expect(s.mean).toEqual([50, 10, 150]);
    expect(s.std).toEqual([50, 0, 50]);
    expect(s.frames).toBe(2);
  });
});

describe("colourCorrection", () => {
  it("maps the clip's statistics onto the key's", () => {
    const clip = { mean: [120, 100, 80], std: [40, 50, 20], frames: 3 } as const;
    const keyStats = { mean: [100, 100, 100], std: [50, 50, 40], frames: 1 } as const;
    const c = colourCorrection(clip, keyStats);
    expect(c.filter).toBe("lutyuv=y=val*1.25-50:u=val*1+0:v=val*2-60");
    expect(c.driftBefore).toBeCloseTo(colourDrift(clip, keyStats), 9);
    expect(c.driftAfter).toBeCloseTo(0, 9);
  });

  it("limits the gain for a nearly flat clip instead of amplifying noise", () => {
    const flat = { mean: [5, 5, 5], std: [0.5, 0.5, 0.5], frames: 1 } as const;
    const keyStats = { mean: [100, 100, 100], std: [50, 50, 50], frames: 1 } as const;
    const c = colourCorrection(flat, keyStats);
    expect(c.filter).toMatch(/^lutyuv=y=val\*2\+/);
    expect(c.driftAfter).toBeGreaterThan(0);
  });
});

describe("colourStats and the filter, run with ffmpeg", () => {
  const casts: [string, string][] = [
    ["warm", "colorchannelmixer=rr=1.15:gg=0.95:bb=0.75"],
    ["dark-flat", "eq=brightness=-0.12:contrast=0.7"],
    ["green-bright", "colorchannelmixer=gg=1.1:rg=0.1:bg=0.1,eq=brightness=0.08"],
  ];
  for (const [name, cast] of casts) {
    it(`reduces the drift of a ${name} cast from the key by at least 70 %`, async () => {
      const keyStats = await colourStats(tools, key());
      const clip = await castClip(name, cast);
      const before = await colourStats(tools, clip, { sampleFrames: 3 });
      expect(before.frames).toBe(3);
      const fix = colourCorrection(before, keyStats);
      const after = await colourStats(tools, await corrected(clip, fix.filter), { sampleFrames: 3 });
      const driftBefore = colourDrift(before, keyStats);
      const driftAfter = colourDrift(after, keyStats);
      expect(driftBefore).toBeGreaterThan(5);
      expect(driftAfter).toBeLessThanOrEqual(0.3 * driftBefore);
    });
  }
});
