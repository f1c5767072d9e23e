// Face-aware cropping: where the crop falls for a face, and which face is kept.
import { describe, expect, it } from "vitest";
import { chooseFace, containsFace, faceCrop, nearestBucket } from "./crop.js";

describe("faceCrop", () => {
  it("keeps the target's aspect and the largest size that fits", () => {
    const c = faceCrop({ width: 1024, height: 1536 }, { width: 1280, height: 720 });
    expect(c.width).toBe(1024);
    expect(c.height).toBe(576);
    const d = faceCrop({ width: 1536, height: 1024 }, { width: 720, height: 1280 });
    expect(d.height).toBe(1024);
    expect(Math.abs(d.width / d.height - 720 / 1280)).toBeLessThan(0.01);
  });

  it("follows a face off-centre and keeps it whole", () => {
    const face = { x: 1100, y: 200, width: 200, height: 260 };
    const c = faceCrop({ width: 1536, height: 1024 }, { width: 720, height: 1280 }, face);
    expect(containsFace(c, face)).toBe(true);
    expect(Math.abs(c.x + c.width / 2 - (face.x + face.width / 2))).toBeLessThanOrEqual(1);
  });

  it("puts a face near the top of a tall image at the portrait eye line, not past the edge", () => {
    const face = { x: 400, y: 50, width: 200, height: 200 };
    const c = faceCrop({ width: 1024, height: 1536 }, { width: 1280, height: 720 }, face);
    expect(c.y).toBe(0);
    expect(containsFace(c, face)).toBe(true);
    const low = { x: 400, y: 1300, width: 200, height: 200 };
    const d = faceCrop({ width: 1024, height: 1536 }, { width: 1280, height: 720 }, low);
    expect(d.y + d.height).toBe(1536);
    expect(containsFace(d, low)).toBe(true);
  });

  it("centres the crop when there is no face", () => {
    expect(faceCrop({ width: 1000, height: 1000 }, { width: 16, height: 9 })).toEqual({
      x: 0,
      y: 219,
      width: 1000,
      height: 563,
    });
  });
});

describe("nearestBucket", () => {
  it("picks the bucket of the nearest aspect", () => {
    const buckets = [
      { width: 832, height: 480 },
      { width: 480, height: 832 },
      { width: 640, height: 640 },
    ];
    expect(nearestBucket({ width: 1536, height: 1024 }, buckets)).toEqual({ width: 832, height: 480 });
    expect(nearestBucket({ width: 1024, height: 1536 }, buckets)).toEqual({ width: 480, height: 832 });
    expect(nearestBucket({ width: 1000, height: 1100 }, buckets)).toEqual({ width: 640, height: 640 });
  });
});

describe("chooseFace", () => {
  const face = (x: number, size: number, score = 0.9) => ({
    box: { x, y: 0, width: size, height: size },
    score,
  });
  it("says when there is no face", () => {
    expect(chooseFace([]).face).toBeUndefined();
    expect(chooseFace([face(0, 100, 0.2)]).note).toMatch(/no face/);
  });
  it("keeps the largest of several and says which", () => {
    const c = chooseFace([face(0, 100), face(500, 180), face(900, 60)]);
    expect(c.face?.box.x).toBe(500);
    expect(c.note).toMatch(/^3 faces found; chose the largest, 180×180 at \(500, 0\)/);
  });
});
