// face: is there a face in the key image, which one, and a crop of the image to a provider's resolution bucket around it.
import { withTempOutput } from "../files/index.js";
import { runFfmpeg, type Tools } from "../media/index.js";
import { type Box, chooseFace, type FaceChoice, faceCrop, type Size } from "./crop.js";
import { detectFaces } from "./detect.js";

export type { Box, DetectedFace, FaceChoice, Size } from "./crop.js";
export { chooseFace, containsFace, faceCrop, nearestBucket } from "./crop.js";
export { detectFaces } from "./detect.js";

export interface FaceCheck extends FaceChoice {
  readonly size: Size;
  readonly count: number;
}

/** Detects faces in an image and picks the one to keep, with a line for the user. */
export async function checkFace(tools: Tools, image: string, signal?: AbortSignal): Promise<FaceCheck> {
  const { size, faces } = await detectFaces(tools, image, signal);
  return { ...chooseFace(faces), size, count: faces.length };
}

/** Writes `image` cropped around the face (or centred) and scaled to exactly `target` pixels, as PNG. */
export async function cropToBucket(
  tools: Tools,
  image: string,
  dest: string,
  size: Size,
  target: Size,
  face?: Box,
  signal?: AbortSignal,
): Promise<Box> {
  const c = faceCrop(size, target, face);
  await withTempOutput(dest, (tmp) =>
    runFfmpeg(
      tools,
      [
        "-i",
        image,
        "-vf",
        `crop=${c.width}:${c.height}:${c.x}:${c.y},scale=${target.width}:${target.height}:flags=lanczos`,
        "-frames:v",
        "1",
        tmp,
      ],
      { signal },
    ),
  );
  return c;
}
