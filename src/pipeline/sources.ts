// Before `make`: the song made from the lyrics file (music:) and the key image made from a prompt (key_image:), when their files are missing.
//
// Every song and image is a take under .refrain/takes/; the first good one becomes the project's
// file. A take already made for the same request is used again rather than paid for twice, and a
// request left waiting by an interrupted run is resumed, never resubmitted.
import { copyFile, readFile, stat } from "node:fs/promises";
import { basename, extname, join, relative } from "node:path";
import { parseDocument } from "yaml";
import { ProviderError, UserInputError } from "../errors/index.js";
import { withTempOutput, writeFileAtomic } from "../files/index.js";
import { checkLyrics, type LyricsFile, type MusicApi, readLyricsFile } from "../lyricsfile/index.js";
import { runFfmpeg, type Tools } from "../media/index.js";
import { loadProject } from "../project/index.js";
import type { KeyImageSettings, MusicSettings } from "../project/schema.js";
import { createAceStepProvider } from "../providers/acestep/index.js";
import { createGeminiImageProvider } from "../providers/gemini/index.js";
import {
  estimateImages,
  type ImageProvider,
  type ImageRequest,
  makeImages,
} from "../providers/image/index.js";
import {
  checkMediaBudget,
  estimateSong,
  type MediaTake,
  MediaTakes,
  type MusicProvider,
  makeSongs,
  mediaSpend,
  resumeSongs,
  type SongRequest,
} from "../providers/music/index.js";
import { createOpenAiImageProvider } from "../providers/openai/index.js";
import { createSunoapiProvider, createSunoSelfHostedProvider } from "../providers/suno/index.js";
import type { Session } from "./session.js";

/** The lyrics checker's name for a `music.provider`. */
const API_OF: Record<MusicSettings["provider"], MusicApi> = {
  suno: "sunoapi",
  "suno-self-hosted": "suno-self-hosted",
  acestep: "acestep",
};

function settingsOf(section: Record<string, unknown>, drop: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(section).filter(([k]) => !drop.includes(k)));
}

/** The music provider `music:` names, keys read from `env` only. */
export function musicProviderFor(
  music: MusicSettings,
  ctx: { tools: Tools; env: NodeJS.ProcessEnv; log?: (line: string) => void },
): MusicProvider {
  const settings = settingsOf(music, ["provider", "poll_s"]);
  if (music.provider === "suno") return createSunoapiProvider(settings, ctx);
  if (music.provider === "suno-self-hosted") return createSunoSelfHostedProvider(settings, ctx);
  return createAceStepProvider(settings, ctx);
}

/** The image provider `key_image:` names, keys read from `env` only. */
export function imageProviderFor(
  image: KeyImageSettings,
  env: NodeJS.ProcessEnv,
  log?: (line: string) => void,
): ImageProvider {
  const settings = settingsOf(image, ["provider", "prompt", "aspect"]);
  if (image.provider === "gemini") return createGeminiImageProvider(settings, env, log);
  return createOpenAiImageProvider(settings, env, log);
}

/**
 * Stops before a paid song or image request that would cross `budget:`: clips (the engine's ledger,
 * charged and held) + song, stem and image takes + this estimate.
 */
export async function checkSourceBudget(session: Session, estimateUsd: number, what: string): Promise<void> {
  const budgetUsd = session.project.config.budget;
  if (budgetUsd === undefined || estimateUsd <= 0) return;
  const ledger = await session.store.ledgerTotals();
  checkMediaBudget({
    budgetUsd,
    engineUsd: ledger.chargedUsd + ledger.reservedUsd,
    spend: await mediaSpend(session.project.dir),
    estimateUsd,
    what,
  });
}

/** What a lyrics file asks a music API for. Pure. */
export function songRequestOf(lf: LyricsFile): SongRequest {
  const r: Record<string, unknown> = {
    lyrics: lf.body,
    style: lf.header.style ?? "",
    title: lf.header.title ?? "",
    exclude: lf.header.exclude,
    vocalGender: lf.header.vocalGender,
    weirdness: lf.header.weirdness,
    styleWeight: lf.header.styleWeight,
    instrumental: lf.header.instrumental,
  };
  // Undefined fields dropped, so a request compares equal to the one kept in a take's JSON.
  return Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)) as unknown as SongRequest;
}

/** Whether a take was made by this provider and model for this request. Pure. */
export function sameRequest(
  take: MediaTake,
  provider: { name: string; model: string },
  spec: unknown,
): boolean {
  return (
    take.provider === provider.name &&
    take.model === provider.model &&
    JSON.stringify(take.spec) === JSON.stringify(spec)
  );
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
}

const usd = (n: number) => `$${n.toFixed(n < 0.1 && n > 0 ? 3 : 2)}`;

/** Copies `src` to `dest`, converting with ffmpeg when the extensions differ (an mp3 take for a song.wav). */
async function install(session: Session, src: string, dest: string, image: boolean): Promise<void> {
  const norm = (p: string) => extname(p).toLowerCase().replace(".jpeg", ".jpg");
  await withTempOutput(dest, async (tmp) => {
    if (norm(src) === norm(dest)) await copyFile(src, tmp);
    else
      await runFfmpeg(session.tools, ["-i", src, ...(image ? ["-frames:v", "1"] : ["-vn"]), tmp], {
        signal: session.signal,
        onCommand: session.onCommand,
      });
  });
}

/** Makes (or finds, or resumes) the song takes for the request; returns the takes of the request used. */
async function songTakes(
  session: Session,
  provider: MusicProvider,
  request: SongRequest,
  takes: MediaTakes,
  pollMs: number | undefined,
): Promise<MediaTake[]> {
  const mine = (await takes.list()).filter((t) => sameRequest(t, provider, request));
  const done = mine.filter((t) => t.status === "succeeded");
  if (done.length > 0) {
    session.log(`song: using the ${done.length} song take(s) already made for this lyrics file`);
    return done;
  }
  const waiting = mine.filter((t) => t.status === "submitted" && t.remoteId);
  const opts = {
    takes,
    tools: session.tools,
    signal: session.signal,
    log: session.log,
    now: session.now,
    pollMs,
  };
  if (waiting.length > 0) {
    const group = waiting.filter((t) => t.request === waiting[0]!.request);
    session.log(`song: resuming request ${group[0]!.remoteId} left waiting by an earlier run`);
    return resumeSongs(provider, group, opts);
  }
  const estimate = estimateSong(provider);
  session.log(
    `song: ${provider.name} ${provider.model} makes ${provider.songsPerRequest} songs, ${provider.paid ? `about ${usd(estimate)}` : "free"}`,
  );
  if (provider.paid) await checkSourceBudget(session, estimate, `a ${provider.name} song request`);
  return makeSongs(provider, request, opts);
}

/** Writes refrain.yaml's `lyrics:` (comments kept) and returns the session with the project read again. */
async function pointLyricsAt(session: Session, lyrics: string): Promise<Session> {
  const { file } = session.project;
  const doc = parseDocument(await readFile(file, "utf8"));
  doc.set("lyrics", lyrics);
  await writeFileAtomic(file, doc.toString());
  return { ...session, project: await loadProject(file) };
}

async function ensureSong(session: Session, music: MusicSettings): Promise<Session> {
  const { project } = session;
  const lyricsFile = project.config.lyrics_file;
  if (!lyricsFile) {
    throw new UserInputError(
      `${project.file}: music: is set but lyrics_file: is not: name the lyrics file to make ${project.config.song} from`,
      { file: project.file },
    );
  }
  const lyricsPath = join(project.dir, lyricsFile);
  const lf = await readLyricsFile(lyricsPath);
  const model = typeof music.model === "string" ? music.model : lf.header.model;
  const errors = checkLyrics(lf, API_OF[music.provider], model).filter((f) => f.severity === "error");
  if (errors.length > 0) {
    throw new UserInputError(`${lyricsFile}:${errors[0]!.line}: ${errors[0]!.message}`, {
      file: lyricsPath,
      hint: "see `refrain lyrics check`",
    });
  }
  const settings = { ...music };
  if (settings.model === undefined && lf.header.model) settings.model = lf.header.model;
  const provider = musicProviderFor(settings, { tools: session.tools, env: session.env });
  const takes = new MediaTakes(project.dir, "songs");
  const pollS = music.poll_s;
  if (pollS !== undefined && (typeof pollS !== "number" || !(pollS > 0)))
    throw new UserInputError(`${project.file}: music.poll_s must be a number of seconds above 0`, {
      file: project.file,
    });
  const made = await songTakes(session, provider, songRequestOf(lf), takes, pollS && pollS * 1000);
  const spent = made.reduce((sum, t) => sum + (t.actualUsd ?? 0), 0);
  const chosen = made.find((t) => t.status === "succeeded" && t.file);
  if (!chosen) {
    const why = made.find((t) => t.failureReason)?.failureReason ?? "no song arrived";
    throw new ProviderError(provider.name, `no song was made from ${lyricsFile}: ${why}`, {
      hint: "every attempt is kept: see `refrain song --list`",
    });
  }
  session.log(
    `song: ${made.filter((t) => t.status === "succeeded").length} of ${made.length} song take(s) kept, ${usd(spent)} recorded; ` +
      `using take ${chosen.id.slice(0, 8)} as ${project.config.song} (choose another with \`refrain song --choose <take>\`)`,
  );
  await install(session, takes.path(chosen.file!), project.songPath, false);

  // The planner reads the song's aligned words; without them, the lyrics file's own lines are placed.
  const stem = basename(project.config.song, extname(project.config.song));
  const configured = project.config.lyrics;
  if (chosen.lyrics) {
    const target = configured?.toLowerCase().endsWith(".json") ? configured : `${stem}.words.json`;
    await withTempOutput(join(project.dir, target), (tmp) => copyFile(takes.path(chosen.lyrics!), tmp));
    if (target !== configured) return pointLyricsAt(session, target);
    return session;
  }
  const target =
    configured && !configured.toLowerCase().endsWith(".json") ? configured : `${stem}.lyrics.txt`;
  await writeFileAtomic(join(project.dir, target), `${lf.body}\n`);
  if (target !== configured) return pointLyricsAt(session, target);
  return session;
}

async function ensureImage(session: Session, keyImage: KeyImageSettings): Promise<void> {
  const { project } = session;
  const provider = imageProviderFor(keyImage, session.env);
  const request: ImageRequest = {
    prompt: keyImage.prompt,
    aspect: keyImage.aspect ?? project.config.output.aspect,
  };
  const takes = new MediaTakes(project.dir, "images");
  const opts = { takes, tools: session.tools, signal: session.signal, now: session.now };
  let chosen = (await takes.list()).find(
    (t) => t.status === "succeeded" && t.file && sameRequest(t, provider, request),
  );
  if (chosen) {
    session.log(`image: using take ${chosen.id.slice(0, 8)}, already made for this prompt`);
  } else {
    session.log(
      `image: ${provider.name} ${provider.model} makes 1 image, ${provider.paid ? `about ${usd(estimateImages(provider))}` : "free"}`,
    );
    if (provider.paid) await checkSourceBudget(session, estimateImages(provider), `a ${provider.name} image`);
    const made = await makeImages(provider, request, opts);
    chosen = made.find((t) => t.status === "succeeded" && t.file);
    const spent = made.reduce((sum, t) => sum + (t.actualUsd ?? 0), 0);
    if (!chosen) {
      throw new ProviderError(
        provider.name,
        `no image was made: ${made[0]?.failureReason ?? "empty answer"}`,
        {
          hint: "every attempt is kept under .refrain/takes/images",
        },
      );
    }
    session.log(`image: take ${chosen.id.slice(0, 8)} kept, ${usd(spent)} recorded`);
  }
  const note = chosen.note ?? "";
  if (/^no face/.test(note)) session.log(`warning: the key image ${project.config.image}: ${note}`);
  else if (note) session.log(`image: face check: ${note}`);
  await install(session, takes.path(chosen.file!), project.imagePath, true);
  session.log(
    `image: ${relative(project.dir, project.imagePath)} written from take ${chosen.id.slice(0, 8)}`,
  );
}

/**
 * Makes the project's missing song (from `lyrics_file` with `music:`) and key image (with
 * `key_image:`). Returns the session, with the project read again when refrain.yaml changed.
 */
/** For a dry run: a song or image that `make` would have to pay to create is an error naming it. */
export async function requireSources(session: Session): Promise<void> {
  const { project } = session;
  for (const [path, setting, field] of [
    [project.songPath, project.config.music, "music"],
    [project.imagePath, project.config.key_image, "key_image"],
  ] as const) {
    if (setting && !(await exists(path))) {
      throw new UserInputError(
        `${path} does not exist yet: \`refrain make\` would create it with ${field}: (a paid call)`,
        {
          file: path,
          hint: "run `refrain make` without --dry-run to make it, or `refrain song` / `refrain image` first",
        },
      );
    }
  }
}

export async function ensureSources(session: Session): Promise<Session> {
  let s = session;
  const { config } = s.project;
  if (config.music && !(await exists(s.project.songPath))) s = await ensureSong(s, config.music);
  if (config.key_image && !(await exists(s.project.imagePath))) await ensureImage(s, config.key_image);
  return s;
}
