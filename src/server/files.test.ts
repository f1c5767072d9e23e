// Safe file serving: request paths split and checked, byte ranges parsed, waveform peaks.
import { describe, expect, it } from "vitest";
import { isInside, parseRange, pathSegments } from "./files.js";
import { waveformPeaks } from "./peaks.js";

describe("pathSegments", () => {
  it("decodes ordinary names", () => {
    expect(pathSegments("/")).toEqual([]);
    expect(pathSegments("/media/out/my%20song.mp4")).toEqual(["media", "out", "my song.mp4"]);
  });

  it("refuses any segment that could climb out of its folder, however it is spelt", () => {
    for (const p of [
      "/media/out/../x",
      "/media/out/%2e%2e/x",
      "/media/out/%2E%2E%2Fx",
      "/media/out/..%2fx",
      "/media/out/..%5cx",
      "/media/out/a%00b",
      "/media/out/C:%5cwindows",
      "/media//etc/passwd",
      "/media/out/%zz",
      "/./x",
    ])
      expect(pathSegments(p), p).toBeNull();
  });
});

describe("isInside", () => {
  it("compares whole path components, not prefixes", () => {
    expect(isInside("/p/out", "/p/out/a.mp4")).toBe(true);
    expect(isInside("/p/out", "/p/outside.mp4")).toBe(false);
    expect(isInside("/p/out", "/p")).toBe(false);
  });
});

describe("parseRange", () => {
  it("reads a start-end, an open end and a suffix range, clamped to the file", () => {
    expect(parseRange("bytes=0-99", 1000)).toEqual({ start: 0, end: 99 });
    expect(parseRange("bytes=900-", 1000)).toEqual({ start: 900, end: 999 });
    expect(parseRange("bytes=-100", 1000)).toEqual({ start: 900, end: 999 });
    expect(parseRange("bytes=990-5000", 1000)).toEqual({ start: 990, end: 999 });
  });

  it("calls a range past the end unsatisfiable and ignores what it cannot read", () => {
    expect(parseRange("bytes=1000-", 1000)).toBe("unsatisfiable");
    expect(parseRange("bytes=5-2", 1000)).toBe("unsatisfiable");
    expect(parseRange(undefined, 1000)).toBeUndefined();
    expect(parseRange("bytes=0-1,5-6", 1000)).toBeUndefined();
    expect(parseRange("items=0-1", 1000)).toBeUndefined();
  });
});

describe("waveformPeaks", () => {
  it("gives the loudest absolute sample of each equal slice", () => {
    const s = new Float32Array(1000);
    s[10] = -0.5; // first tenth
    s[550] = 0.9; // sixth tenth
    const peaks = waveformPeaks(s, 10);
    expect(peaks).toHaveLength(10);
    expect(peaks[0]).toBe(0.5);
    expect(peaks[5]).toBe(0.9);
    expect(peaks.filter((p) => p === 0)).toHaveLength(8);
  });

  it("handles more points than samples and an empty song", () => {
    expect(waveformPeaks(new Float32Array([1, -1]), 4)).toHaveLength(4);
    expect(waveformPeaks(new Float32Array(0), 3)).toEqual([0, 0, 0]);
  });
});
