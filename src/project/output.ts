// Output frame size from aspect and resolution, and where the finished video goes.
import { join } from "node:path";
import type { Aspect } from "./schema.js";

export interface FrameSize {
  width: number;
  height: number;
}

const even = (n: number) => Math.round(n / 2) * 2;

/** 16:9 at 720 → 1280×720; 9:16 at 720 → 720×1280; 1:1 at 720 → 720×720. */
export function frameSize(aspect: Aspect, shortSide: number): FrameSize {
  const s = even(shortSide);
  switch (aspect) {
    case "16:9":
      return { width: even((s * 16) / 9), height: s };
    case "9:16":
      return { width: s, height: even((s * 16) / 9) };
    case "1:1":
      return { width: s, height: s };
  }
}

export function defaultOutputPath(projectDir: string, name: string): string {
  return join(projectDir, "out", `${name}.mp4`);
}
