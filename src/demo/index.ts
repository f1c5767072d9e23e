// `refrain demo`: synthesise a song and a key image, then make a video from them with no input of the user's.
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "../files/index.js";
import { runFfmpeg, type Tools } from "../media/index.js";
import { drawDemoSinger } from "./image.js";
import { demoLrc, synthesizeDemoSong } from "./song.js";

export type { RgbImage } from "./image.js";
export { drawDemoSinger } from "./image.js";
export type { DemoLine, DemoSong } from "./song.js";
export { demoLrc, synthesizeDemoSong } from "./song.js";

export interface DemoInputs {
  song: string;
  image: string;
  lyrics: string;
}

/** Writes the demo song (m4a), key image (png) and lyrics (enhanced LRC) into `dir`. */
export async function writeDemoInputs(
  tools: Tools,
  dir: string,
  options: { signal?: AbortSignal; onCommand?: (line: string) => void } = {},
): Promise<DemoInputs> {
  await mkdir(dir, { recursive: true });
  const song = synthesizeDemoSong();
  const image = drawDemoSinger();
  const rawAudio = join(dir, ".song.f32");
  const rawImage = join(dir, ".image.rgb");
  const out: DemoInputs = {
    song: join(dir, "song.m4a"),
    image: join(dir, "singer.png"),
    lyrics: join(dir, "song.lrc"),
  };
  try {
    await writeFile(
      rawAudio,
      new Uint8Array(song.stereo.buffer, song.stereo.byteOffset, song.stereo.byteLength),
    );
    await writeFile(rawImage, image.pixels);
    const run = { signal: options.signal, onCommand: options.onCommand };
    await Promise.all([
      runFfmpeg(
        tools,
        ["-f", "f32le", "-ar", "48000", "-ac", "2", "-i", rawAudio, "-c:a", "aac", "-b:a", "160k", out.song],
        run,
      ),
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
          rawImage,
          "-frames:v",
          "1",
          out.image,
        ],
        run,
      ),
    ]);
    await writeFileAtomic(out.lyrics, demoLrc(song));
  } finally {
    await rm(rawAudio, { force: true });
    await rm(rawImage, { force: true });
  }
  return out;
}
