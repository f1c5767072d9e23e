// `refrain new`: a project folder with a commented refrain.yaml and copies of the inputs.
import { copyFile, mkdir, readdir, stat } from "node:fs/promises";
import { basename, extname, join, resolve } from "node:path";
import { UserInputError } from "../errors/index.js";
import { writeFileAtomic } from "../files/index.js";
import { PROJECT_FILE, PROJECT_VERSION } from "./schema.js";

export interface NewProjectOptions {
  song: string;
  image: string;
  lyrics?: string;
  provider?: string;
  /** Copy the inputs into the project (default), so it is self-contained and can be committed. */
  copyInputs?: boolean;
}

function yamlString(s: string): string {
  return JSON.stringify(s);
}

/** Where the template's comments start, counted from the line's indent, so they read as one column whatever the values. */
const COMMENT_COLUMN = 24;

/** `line` with `# comment` after it at COMMENT_COLUMN past its indent (two spaces after a longer value). */
function commented(line: string, comment: string): string {
  const indent = line.length - line.trimStart().length;
  return `${line.padEnd(indent + COMMENT_COLUMN - 2)}  # ${comment}`;
}

/** The commented project file `refrain new` writes. Pure. */
export function projectTemplate(o: {
  song: string;
  image: string;
  lyrics?: string;
  provider: string;
  title: string;
}): string {
  const lyricsComment = "LRC, enhanced LRC, SRT, Suno aligned words (.json) or plain text";
  return `${commented(`version: ${PROJECT_VERSION}`, "refrain project file format")}
${commented(`title: ${yamlString(o.title)}`, "names the output: out/<title>.mp4")}

${commented(`song: ${yamlString(o.song)}`, "any audio file ffmpeg reads (mp3, wav, flac, m4a…)")}
${commented(`image: ${yamlString(o.image)}`, "the singer: one still image, face visible")}
${commented(o.lyrics ? `lyrics: ${yamlString(o.lyrics)}` : "# lyrics: song.lrc", lyricsComment)}

# To make a missing song or image first (see README "From lyrics alone"):
# lyrics_file: song.txt   # lyrics with a header (title, style…); the song is made from it
# music: { provider: suno, model: V5 }   # suno (SUNO_API_KEY), suno-self-hosted or acestep (local ACE-Step)
# key_image: { provider: openai, prompt: "a singer, face to the camera" }   # or gemini (GEMINI_API_KEY)

output:
  aspect: "16:9"          # 16:9, 9:16 or 1:1
  resolution: 720         # short side in pixels (720 → 1280×720 for 16:9)
  fps: 25
  fit: crop               # clips of another aspect: crop to fill, or pad
  transition: fade        # crossfade between clips (an ffmpeg xfade name, or "none" for hard cuts)
  transition_s: 0.32
  subtitles: burn         # lyrics on screen: burn, soft (a subtitle track) or none
  preset: medium          # x264 speed of the final encode: ultrafast … veryslow (slower = smaller file)

plan:
  min_s: 3                # shortest clip, seconds
  max_s: 12               # longest clip (the provider may allow less)

clip:
${commented(`  provider: ${o.provider}`, "local (free CPU preview), comfyui, …")}
  seed: 1
  prompt: "a singer performing the song, looking at the camera, in a recording studio"
  instrumental_prompt: "the singer listens to the music, mouth closed, gentle head movement"

# budget: 5.00            # US dollars: a hard cap on paid generation
`;
}

async function mustBeFile(path: string, what: string): Promise<void> {
  try {
    const s = await stat(path);
    if (!s.isFile()) throw new UserInputError(`${what} ${path} is not a file`, { file: path });
  } catch (e) {
    if (e instanceof UserInputError) throw e;
    throw new UserInputError(`${what} ${path}: no such file`, { file: path, hint: "check the path" });
  }
}

/** Creates the project folder. Refuses to overwrite an existing project. Returns the folder. */
export async function createProject(dir: string, options: NewProjectOptions): Promise<string> {
  const target = resolve(dir);
  await mustBeFile(options.song, "song");
  await mustBeFile(options.image, "image");
  if (options.lyrics) await mustBeFile(options.lyrics, "lyrics");
  await mkdir(target, { recursive: true });
  const existing = await readdir(target);
  if (existing.includes(PROJECT_FILE)) {
    throw new UserInputError(`${join(target, PROJECT_FILE)} already exists`, {
      hint: "choose another folder",
    });
  }
  const copy = options.copyInputs ?? true;
  const place = async (src: string, name: string): Promise<string> => {
    if (!copy) return resolve(src);
    const dest = `${name}${extname(src).toLowerCase()}`;
    await copyFile(src, join(target, dest));
    return dest;
  };
  const song = await place(options.song, "song");
  const image = await place(options.image, "image");
  const lyrics = options.lyrics ? await place(options.lyrics, "lyrics") : undefined;
  await writeFileAtomic(
    join(target, PROJECT_FILE),
    projectTemplate({ song, image, lyrics, provider: options.provider ?? "local", title: basename(target) }),
  );
  return target;
}
