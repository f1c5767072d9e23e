// Fixture clips for the sync tests and bench: a source encoded small, fast and near-lossless through one filter.
import { runFfmpeg, type Tools } from "../media/index.js";

/**
 * Encodes `input` (ffmpeg input arguments, e.g. `["-f", "lavfi", "-i", "testsrc2=…"]`) through
 * `filter` (none: as is) to H.264 yuv420p at `out`; crf 16 keeps colour statistics close to the source.
 */
export async function encodeFixtureClip(
  tools: Tools,
  input: readonly string[],
  filter: string | undefined,
  out: string,
): Promise<string> {
  const vf = filter ? `${filter},format=yuv420p` : "format=yuv420p";
  await runFfmpeg(tools, [...input, "-vf", vf, "-c:v", "libx264", "-preset", "ultrafast", "-crf", "16", out]);
  return out;
}
