// Writing pictures drawn in code (the demo singer, analysis plots) as PNG files.
import { withTempOutput } from "../files/index.js";
import { runFfmpeg } from "./run.js";
import type { Tools } from "./tools.js";

export interface RgbPixels {
  width: number;
  height: number;
  /** rgb24, row by row. */
  pixels: Uint8Array;
}

export async function writePng(
  tools: Tools,
  image: RgbPixels,
  path: string,
  options: { signal?: AbortSignal; onCommand?: (l: string) => void } = {},
): Promise<void> {
  await withTempOutput(path, (tmp) =>
    runFfmpeg(
      tools,
      [
        "-f",
        "rawvideo",
        "-pix_fmt",
        "rgb24",
        "-s",
        `${image.width}x${image.height}`,
        "-i",
        "pipe:0",
        "-frames:v",
        "1",
        "-f",
        "image2",
        "-c:v",
        "png",
        tmp,
      ],
      { ...options, stdin: image.pixels },
    ),
  );
}
