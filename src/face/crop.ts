// Face-aware crop to a provider's resolution bucket: pure rectangle math on a face box.

export interface Size {
  readonly width: number;
  readonly height: number;
}

/** A rectangle in image pixels, top-left origin. */
export interface Box extends Size {
  readonly x: number;
  readonly y: number;
}

export interface DetectedFace {
  readonly box: Box;
  /** Detector confidence 0…1. */
  readonly score: number;
}

/** The bucket whose aspect ratio is nearest the image's (compared in log space, so 2:1 and 1:2 are equally far from 1:1). */
export function nearestBucket(image: Size, buckets: readonly Size[]): Size {
  if (buckets.length === 0) throw new RangeError("no resolution buckets");
  const ratio = Math.log(image.width / image.height);
  let best = buckets[0]!;
  for (const b of buckets) {
    if (Math.abs(Math.log(b.width / b.height) - ratio) < Math.abs(Math.log(best.width / best.height) - ratio))
      best = b;
  }
  return best;
}

/**
 * The largest rectangle of the target's aspect inside the image, placed so the face sits centred
 * across and with its centre at 40 % of the height (a portrait's eye line), moved back inside the
 * image where that would cross an edge. Without a face the crop is centred. Integer pixels. Pure.
 */
export function faceCrop(image: Size, target: Size, face?: Box): Box {
  const aspect = target.width / target.height;
  let width = image.width;
  let height = Math.round(width / aspect);
  if (height > image.height) {
    height = image.height;
    width = Math.round(height * aspect);
  }
  width = Math.min(width, image.width);
  const clamp = (v: number, max: number) => Math.max(0, Math.min(max, Math.round(v)));
  const cx = face ? face.x + face.width / 2 : image.width / 2;
  const cy = face ? face.y + face.height / 2 : image.height / 2;
  const x = clamp(cx - width / 2, image.width - width);
  const y = clamp(face ? cy - height * 0.4 : cy - height / 2, image.height - height);
  return { x, y, width, height };
}

/** Whether the whole face box lies inside the crop. */
export function containsFace(crop: Box, face: Box): boolean {
  return (
    face.x >= crop.x &&
    face.y >= crop.y &&
    face.x + face.width <= crop.x + crop.width &&
    face.y + face.height <= crop.y + crop.height
  );
}

export interface FaceChoice {
  readonly face?: DetectedFace;
  /** One line for the user: none found, or which of several was chosen. */
  readonly note: string;
}

/** Picks the face to keep: the largest confident one; says so when there were several or none. Pure. */
export function chooseFace(faces: readonly DetectedFace[], minScore = 0.5): FaceChoice {
  const sure = faces.filter((f) => f.score >= minScore);
  if (sure.length === 0) {
    return {
      note: "no face found: a lip-sync model needs a visible face; use an image with the singer's face in view",
    };
  }
  const byArea = [...sure].sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height);
  const face = byArea[0]!;
  const at = `${face.box.width}×${face.box.height} at (${face.box.x}, ${face.box.y})`;
  if (sure.length === 1) return { face, note: `one face, ${at}` };
  return { face, note: `${sure.length} faces found; chose the largest, ${at}` };
}
