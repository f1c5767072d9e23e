// The face check on real pixels: the WebAssembly detector runs offline in Node; crops land at the bucket size.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { drawDemoSinger } from "../demo/index.js";
import { findTools, probeImage, runFfmpeg, writePng } from "../media/index.js";
import { checkFace, cropToBucket } from "./index.js";

const tools = findTools(process.env);
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "face-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("checkFace", () => {
  it("finds no face in a plain picture and says what to do", async () => {
    const plain = join(dir, "plain.png");
    await runFfmpeg(tools, ["-f", "lavfi", "-i", "color=c=steelblue:s=320x240", "-frames:v", "1", plain]);
    const c = await checkFace(tools, plain);
    expect(c.face).toBeUndefined();
    expect(c.note).toMatch(/no face found/);
    expect(c.size).toEqual({ width: 320, height: 240 });
  }, 20_000);

  it("finds the one face of the demo singer, inside the picture's middle", async () => {
    const singer = join(dir, "singer.png");
    await writePng(tools, drawDemoSinger(384, 384), singer);
    const c = await checkFace(tools, singer);
    expect(c.count).toBe(1);
    expect(c.note).toMatch(/^one face/);
    const b = c.face!.box;
    expect(b.x).toBeGreaterThan(0);
    expect(b.x + b.width).toBeLessThan(384);
    expect(b.width).toBeGreaterThan(384 / 8);
  }, 20_000);
});

describe("cropToBucket", () => {
  it("writes exactly the bucket's size", async () => {
    const src = join(dir, "wide.png");
    await runFfmpeg(tools, ["-f", "lavfi", "-i", "testsrc=s=640x360", "-frames:v", "1", src]);
    const out = join(dir, "tall.png");
    const box = await cropToBucket(
      tools,
      src,
      out,
      { width: 640, height: 360 },
      { width: 270, height: 480 },
      {
        x: 500,
        y: 100,
        width: 80,
        height: 80,
      },
    );
    const info = await probeImage(tools, out);
    expect([info.video!.width, info.video!.height]).toEqual([270, 480]);
    expect(box.x + box.width).toBe(640);
  }, 20_000);
});
