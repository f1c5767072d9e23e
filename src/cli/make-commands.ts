// The commands that make a song and a key image: `refrain lyrics check`, `song`, `image`, `prompt`. The lead registers them with one line.
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { parse, parseDocument } from "yaml";
import { UserInputError } from "../errors/index.js";
import { writeFileAtomic } from "../files/index.js";
import {
  applyReplacements,
  checkLyrics,
  checkPronunciation,
  MUSIC_APIS,
  type MusicApi,
  parseLyricsFile,
  readLyricsFile,
} from "../lyricsfile/index.js";
import { openSession } from "../pipeline/session.js";
import { checkSourceBudget, songRequestOf } from "../pipeline/sources.js";
import { createAceStepProvider } from "../providers/acestep/index.js";
import { createGeminiImageProvider } from "../providers/gemini/index.js";
import { importImage, makeImages } from "../providers/image/index.js";
import { createChatLlm, draftVideoPrompts, proposeStyle, reviseSection } from "../providers/llm/index.js";
import {
  chooseSong,
  estimateSong,
  MediaTakes,
  type MusicProvider,
  makeSongs,
  STEM_TYPES,
  type StemType,
  separateStems,
} from "../providers/music/index.js";
import { createOpenAiImageProvider } from "../providers/openai/index.js";
import { createSunoapiProvider, createSunoSelfHostedProvider } from "../providers/suno/index.js";
import type { Cli } from "./context.js";

function projectDir(program: Command, cli: Cli): string {
  return resolve(cli.cwd, (program.opts() as { project?: string }).project ?? ".");
}

function musicProvider(api: MusicApi, settings: Record<string, unknown>, cli: Cli): MusicProvider {
  const ctx = { tools: cli.tools, env: cli.env, log: cli.verbose ? (l: string) => cli.err(l) : undefined };
  if (api === "sunoapi") return createSunoapiProvider(settings, ctx);
  if (api === "suno-self-hosted") return createSunoSelfHostedProvider(settings, ctx);
  return createAceStepProvider(settings, ctx);
}

function parseApi(value: string): MusicApi {
  if (!(MUSIC_APIS as readonly string[]).includes(value)) {
    throw new UserInputError(`--api: "${value}" is not one of ${MUSIC_APIS.join(", ")}`);
  }
  return value as MusicApi;
}

/** Before a paid song, stem or image request: stops with BudgetExceeded when the project's `budget:` would be crossed. */
async function checkBudget(cli: Cli, dir: string, estimateUsd: number, what: string): Promise<void> {
  if (estimateUsd <= 0) return;
  // Songs can be made before there is a project (or a complete refrain.yaml); then no budget is kept.
  const text = await readFile(join(dir, "refrain.yaml"), "utf8").catch(() => "");
  let budget: unknown;
  try {
    budget = (parse(text) as { budget?: unknown } | null)?.budget;
  } catch {
    return; // a broken refrain.yaml is reported by the commands that need it
  }
  if (typeof budget !== "number") return;
  const session = await openSession(dir, { tools: cli.tools, env: cli.env, signal: cli.signal });
  try {
    await checkSourceBudget(session, estimateUsd, what);
  } finally {
    await session.close();
  }
}

/** `refrain lyrics check`: structure, API limits and Chinese readings; exit code 2 when an error was found. */
export async function lyricsCheckCommand(
  cli: Cli,
  file: string,
  o: { api: string; model?: string; json?: boolean; fix?: string },
): Promise<number> {
  const path = resolve(cli.cwd, file);
  const lyrics = await readLyricsFile(path);
  const findings = checkLyrics(lyrics, parseApi(o.api), o.model);
  const text = await readFile(path, "utf8");
  const readings = checkPronunciation(text);
  if (o.fix) {
    // --fix takes the JSON list a previous --json run printed, edited down to the accepted ones.
    const accepted = JSON.parse(await readFile(resolve(cli.cwd, o.fix), "utf8")) as {
      line: number;
      column: number;
      char: string;
      with: string;
    }[];
    const { text: fixed, skipped } = applyReplacements(text, accepted);
    await writeFileAtomic(path, fixed);
    cli.err(
      `${accepted.length - skipped.length} replacement(s) written to ${file}; ${skipped.length} no longer matched`,
    );
  }
  if (o.json) {
    cli.out(JSON.stringify({ file, findings, pronunciation: readings }, null, 2));
  } else {
    for (const f of findings)
      cli.out(`${file}:${f.line}${f.column ? `:${f.column}` : ""}: ${f.severity}: ${f.message}`);
    for (const r of readings) {
      cli.out(
        `${file}:${r.line}:${r.column}: reading: ${r.char} in "${r.context}" should be ${r.intended}, likely sung ${r.usual}` +
          (r.suggestions.length
            ? `; write ${r.suggestions.join(" ")} instead?`
            : "; no unambiguous homophone, consider rewording"),
      );
    }
    if (findings.length === 0 && readings.length === 0) cli.out(`${file}: no problems found`);
  }
  return findings.some((f) => f.severity === "error") ? 2 : 0;
}

export function registerMakeCommands(program: Command, cli: Cli): void {
  const lyrics = program.command("lyrics").description("write and check a song's lyrics file");
  lyrics
    .command("check")
    .description("report structure problems, the music API's limits and likely Chinese misreadings")
    .argument("[file]", "the lyrics file", "lyrics.txt")
    .option("--api <api>", `the music API to check against (${MUSIC_APIS.join(", ")})`, "sunoapi")
    .option("--model <model>", "the model (limits differ: V4 allows less)")
    .option("--json", "print findings as JSON (line, column, char, intended reading, suggestions)")
    .option("--fix <accepted.json>", "write the accepted replacements listed in this JSON file")
    .action(async (file: string, o: { api: string; model?: string; json?: boolean; fix?: string }) => {
      const code = await lyricsCheckCommand(cli, file, o);
      if (code !== 0) process.exitCode = code;
    });

  program
    .command("song")
    .description("make songs from a lyrics file (each a take) or choose one as the project's song")
    .argument("[file]", "the lyrics file", "lyrics.txt")
    .option("--api <api>", "sunoapi, suno-self-hosted or acestep (a local ACE-Step server)", "sunoapi")
    .option("--base-url <url>", "the API's address")
    .option("--model <model>", "the model")
    .option("--choose <take>", "make this song take the project's song")
    .option("--list", "list the song takes")
    .option("--stems <take>", "split this song take into stems (sunoapi.org; paid), kept as takes")
    .option(
      "--type <type>",
      `with --stems: ${STEM_TYPES.join(" (2 stems) or ")} (up to 12)`,
      "separate_vocal",
    )
    .action(
      async (
        file: string,
        o: {
          api: string;
          baseUrl?: string;
          model?: string;
          choose?: string;
          list?: boolean;
          stems?: string;
          type: string;
        },
      ) => {
        const dir = projectDir(program, cli);
        const takes = new MediaTakes(dir, "songs");
        if (o.stems) {
          if (!(STEM_TYPES as readonly string[]).includes(o.type))
            throw new UserInputError(`--type: "${o.type}" is not ${STEM_TYPES.join(" or ")}`);
          const song = await takes.get(o.stems);
          if (!song) throw new UserInputError(`no song take "${o.stems}": see \`refrain song --list\``);
          if (song.provider !== "suno")
            throw new UserInputError(
              `song take ${song.id.slice(0, 8)} was made by ${song.provider}: only sunoapi.org (suno) songs can be split into stems`,
            );
          const settings: Record<string, unknown> = { model: song.model };
          if (o.baseUrl) settings.base_url = o.baseUrl;
          const provider = musicProvider("sunoapi", settings, cli);
          const type = o.type as StemType;
          const estimate = provider.stems!.price(type);
          cli.err(`${provider.name}: ${type} of take ${song.id.slice(0, 8)}, about $${estimate.toFixed(2)}`);
          await checkBudget(cli, dir, estimate, `stems (${type})`);
          const stems = new MediaTakes(dir, "stems");
          const made = await separateStems(provider, song, type, {
            stems,
            tools: cli.tools,
            signal: cli.signal,
            log: (l) => cli.err(l),
          });
          for (const t of made) cli.out(`${t.id.slice(0, 8)}  ${t.item}  ${stems.path(t.file!)}`);
          return;
        }
        if (o.list) {
          for (const t of await takes.list()) {
            cli.out(
              `${t.id.slice(0, 8)}  ${t.status}  ${t.provider}/${t.model}  $${(t.actualUsd ?? t.estimatedUsd).toFixed(3)}  ${t.durationS?.toFixed(1) ?? "-"} s  ${t.failureReason ?? ""}`,
            );
          }
          return;
        }
        if (o.choose) {
          const c = await chooseSong(dir, takes, o.choose);
          cli.out(`refrain.yaml: song: ${c.song}${c.lyrics ? `, lyrics: ${c.lyrics}` : ""}`);
          return;
        }
        const api = parseApi(o.api);
        const lf = await readLyricsFile(resolve(cli.cwd, file));
        const errors = checkLyrics(lf, api, o.model).filter((f) => f.severity === "error");
        if (errors.length > 0)
          throw new UserInputError(`${file}:${errors[0]!.line}: ${errors[0]!.message}`, {
            hint: "see `refrain lyrics check`",
          });
        const settings: Record<string, unknown> = {};
        if (o.baseUrl) settings.base_url = o.baseUrl;
        if (o.model ?? lf.header.model) settings.model = o.model ?? lf.header.model;
        const provider = musicProvider(api, settings, cli);
        cli.err(
          `${provider.name} ${provider.model}: ${provider.paid ? `about $${estimateSong(provider).toFixed(2)}` : "free"} for ${provider.songsPerRequest} songs`,
        );
        if (provider.paid)
          await checkBudget(cli, dir, estimateSong(provider), `a ${provider.name} song request`);
        const made = await makeSongs(provider, songRequestOf(lf), {
          takes,
          tools: cli.tools,
          signal: cli.signal,
          log: (l) => cli.err(l),
        });
        for (const t of made) cli.out(`${t.id.slice(0, 8)}  ${t.status}  ${t.failureReason ?? t.file}`);
        cli.err("choose one with `refrain song --choose <take>`");
      },
    );

  program
    .command("image")
    .description("generate (or import) a key image as a take, with a face check")
    .argument("[prompt]", "what the picture shows")
    .option("--import <file>", "import this image instead of generating one")
    .option("--edit <file>", "edit from this image to keep the same character")
    .option("--aspect <a>", "16:9, 9:16 or 1:1", "16:9")
    .option("--base-url <url>", "the API's address")
    .option("--provider <p>", "openai or gemini", "openai")
    .option(
      "--model <model>",
      "openai: gpt-image-1 (default) or another GPT image model; gemini: gemini-2.5-flash-image",
    )
    .action(
      async (
        prompt: string | undefined,
        o: {
          import?: string;
          edit?: string;
          aspect: string;
          baseUrl?: string;
          model?: string;
          provider: string;
        },
      ) => {
        const takes = new MediaTakes(projectDir(program, cli), "images");
        const opts = { takes, tools: cli.tools, signal: cli.signal };
        if (o.import) {
          const t = await importImage(resolve(cli.cwd, o.import), opts);
          cli.out(`${t.id.slice(0, 8)}  imported  ${t.note ?? ""}`);
          return;
        }
        if (!prompt) throw new UserInputError("refrain image: give a prompt, or --import FILE");
        if (!["16:9", "9:16", "1:1"].includes(o.aspect))
          throw new UserInputError(`--aspect: "${o.aspect}" is not 16:9, 9:16 or 1:1`);
        const settings: Record<string, unknown> = {};
        if (o.baseUrl) settings.base_url = o.baseUrl;
        if (o.model) settings.model = o.model;
        if (!["openai", "gemini"].includes(o.provider))
          throw new UserInputError(`--provider: "${o.provider}" is not openai or gemini`);
        const provider = (o.provider === "gemini" ? createGeminiImageProvider : createOpenAiImageProvider)(
          settings,
          cli.env,
          cli.verbose ? (l) => cli.err(l) : undefined,
        );
        cli.err(
          `${provider.name} ${provider.model}: about $${(provider.price.kind === "per-job" ? provider.price.usd : 0).toFixed(3)}`,
        );
        if (provider.paid && provider.price.kind === "per-job")
          await checkBudget(cli, projectDir(program, cli), provider.price.usd, `a ${provider.name} image`);
        const made = await makeImages(
          provider,
          { prompt, aspect: o.aspect as "16:9", reference: o.edit ? [resolve(cli.cwd, o.edit)] : undefined },
          opts,
        );
        for (const t of made) cli.out(`${t.id.slice(0, 8)}  ${t.status}  ${t.note ?? t.failureReason ?? ""}`);
      },
    );

  program
    .command("prompt")
    .description("ask a chat model for the style prompt and section tags, or to revise one section")
    .argument("<instruction>", "the goal, or what to change in the section")
    .option("--lyrics <file>", "the lyrics file", "lyrics.txt")
    .option("--section <name>", "revise only this section")
    .option("--video", "draft the video prompts (singing and instrumental segments) from the lyrics instead")
    .option("--write", "with --video: put them in refrain.yaml as clip.prompt and clip.instrumental_prompt")
    .option(
      "--base-url <url>",
      "an OpenAI-compatible API (default OpenAI; Ollama: http://127.0.0.1:11434/v1)",
    )
    .option("--model <model>", "the chat model", "gpt-4o-mini")
    .action(
      async (
        instruction: string,
        o: {
          lyrics: string;
          section?: string;
          video?: boolean;
          write?: boolean;
          baseUrl?: string;
          model: string;
        },
      ) => {
        const text = await readFile(resolve(cli.cwd, o.lyrics), "utf8").catch(() => {
          throw new UserInputError(`${o.lyrics}: cannot read the lyrics file`);
        });
        const settings: Record<string, unknown> = { model: o.model };
        if (o.baseUrl) settings.base_url = o.baseUrl;
        const llm = createChatLlm(settings, cli.env, cli.verbose ? (l) => cli.err(l) : undefined);
        const onRetry = (n: number, why: string) => cli.err(`attempt ${n}: ${why}; asking again`);
        if (o.video) {
          const file = parseLyricsFile(text, o.lyrics);
          const sections = file.sections.map((sec) => ({
            name: sec.name,
            kind:
              sec.lines.length === 0 || /instrumental|interlude|solo|break/i.test(sec.tag)
                ? ("instrumental" as const)
                : ("singing" as const),
            text: sec.lines.map((l) => l.text).join("\n"),
          }));
          const prompts = await draftVideoPrompts(llm, sections, instruction, {
            onRetry,
            signal: cli.signal,
          });
          cli.out(JSON.stringify(prompts, null, 2));
          if (o.write) {
            const path = join(cli.cwd, "refrain.yaml");
            const doc = parseDocument(
              await readFile(path, "utf8").catch(() => {
                throw new UserInputError(`no refrain.yaml in ${cli.cwd} to write the prompts into`);
              }),
            );
            doc.setIn(["clip", "prompt"], prompts.singing);
            doc.setIn(["clip", "instrumental_prompt"], prompts.instrumental);
            await writeFileAtomic(path, doc.toString());
            cli.err(`wrote clip.prompt and clip.instrumental_prompt into ${path}`);
          }
          return;
        }
        const answer = o.section
          ? await reviseSection(llm, text, o.section, instruction, { onRetry, signal: cli.signal })
          : await proposeStyle(llm, text, instruction, { onRetry, signal: cli.signal });
        cli.out(JSON.stringify(answer, null, 2));
      },
    );
}
