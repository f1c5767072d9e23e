// `refrain demo`: synthesise a song and a key image, then make a video from them with no input of the user's.
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { withTempOutput, writeFileAtomic } from "../files/index.js";
import { runFfmpeg, type Tools, writePng } from "../media/index.js";
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
  const out: DemoInputs = {
    song: join(dir, "song.m4a"),
    image: join(dir, "singer.png"),
    lyrics: join(dir, "song.lrc"),
  };
  const run = { signal: options.signal, onCommand: options.onCommand };
  const pcm = new Uint8Array(song.stereo.buffer, song.stereo.byteOffset, song.stereo.byteLength);
  await Promise.all([
    withTempOutput(out.song, (tmp) =>
      runFfmpeg(
        tools,
        ["-f", "f32le", "-ar", "48000", "-ac", "2", "-i", "pipe:0", "-c:a", "aac", "-b:a", "160k", tmp],
        {
          ...run,
          stdin: pcm,
        },
      ),
    ),
    writePng(tools, image, out.image, run),
  ]);
  await writeFileAtomic(out.lyrics, demoLrc(song));
  return out;
}
