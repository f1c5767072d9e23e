// A demo key image drawn in code: a stylised singer at a microphone in a dim studio.
export interface RgbImage {
  width: number;
  height: number;
  /** rgb24 pixels, row by row. */
  pixels: Uint8Array;
}

type Rgb = [number, number, number];

/** Draws the singer. Pure and deterministic. */
export function drawDemoSinger(width = 768, height = 768): RgbImage {
  const px = new Uint8Array(width * height * 3);
  const u = width / 768;
  const cx = width / 2;
  const set = (x: number, y: number, c: Rgb, a = 1) => {
    const i = (y * width + x) * 3;
    px[i] = px[i]! * (1 - a) + c[0] * a;
    px[i + 1] = px[i + 1]! * (1 - a) + c[1] * a;
    px[i + 2] = px[i + 2]! * (1 - a) + c[2] * a;
  };
  const ellipse = (ex: number, ey: number, rx: number, ry: number) => (x: number, y: number) =>
    ((x - ex) / rx) ** 2 + ((y - ey) / ry) ** 2 <= 1;
  const shapes: [(x: number, y: number) => boolean, Rgb][] = [
    [ellipse(cx, 860 * u, 250 * u, 300 * u), [40, 44, 70]], // shoulders
    [ellipse(cx, 560 * u, 55 * u, 80 * u), [214, 170, 140]], // neck
    [ellipse(cx, 300 * u, 150 * u, 175 * u), [70, 40, 30]], // hair
    [ellipse(cx, 345 * u, 120 * u, 150 * u), [228, 186, 156]], // face
    [ellipse(cx - 45 * u, 320 * u, 16 * u, 10 * u), [40, 30, 30]], // eyes
    [ellipse(cx + 45 * u, 320 * u, 16 * u, 10 * u), [40, 30, 30]],
    [ellipse(cx, 425 * u, 30 * u, 16 * u), [150, 60, 70]], // mouth
    [(x, y) => Math.abs(x - (cx + 150 * u)) < 6 * u && y > 470 * u, [30, 30, 30]], // mic stand
    [ellipse(cx + 150 * u, 450 * u, 28 * u, 42 * u), [90, 90, 100]], // microphone
  ];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      // A warm spotlight on a dark studio wall.
      const d = Math.hypot(x - cx, y - 0.35 * height) / width;
      const light = Math.max(0, 1 - d * 1.4);
      set(x, y, [20 + 90 * light, 18 + 60 * light, 30 + 40 * light]);
      for (const [inside, colour] of shapes) if (inside(x, y)) set(x, y, colour);
    }
  }
  return { width, height, pixels: px };
}
