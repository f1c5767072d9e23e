// The refrain commands: each parses its options, calls the library, and prints human text or --json.
import { access, constants, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import type { Command } from "commander";
import { config as loadDotenv } from "dotenv";
import { type Analysis, analysisToJson, analyzeSong } from "../analysis/index.js";
import { UserInputError } from "../errors/index.js";
import { checkFont, DEFAULT_SUBTITLE_FONT } from "../export/index.js";
import { checkCanWrite } from "../files/index.js";
import {
  checkTools,
  decodeMono,
  inspectTools,
  probeAudio,
  probeImage,
  shellQuote,
  writePng,
} from "../media/index.js";
import { describeStore } from "../pipeline/index.js";
import { type Plan, planSong, planToJson } from "../plan/index.js";
import { plotAnalysis, plotAss, plotLabels, plotVerdict } from "../plot/index.js";
import { createProject } from "../project/index.js";
import { clipConstraints, KEY_VARIABLES, planningNames } from "../providers/index.js";
import type { Cli } from "./context.js";
import { registerMakeCommands } from "./make-commands.js";
import { registerModelsCommand } from "./models-command.js";
import { registerProjectCommands, withProjectPlan } from "./project-commands.js";
import { registerReviewCommand } from "./review-command.js";
import { registerTakeCommands } from "./take-commands.js";
import { registerWorkerCommand } from "./worker-command.js";

function printJson(cli: Cli, value: unknown): void {
  cli.out(JSON.stringify(value, null, 2));
}

function parseNumber(flag: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0)
      throw new UserInputError(`${flag} must be a positive number, got "${v}"`);
    return n;
  };
}

/** Fails at once, before a song is analysed, when `--provider` names no provider the planner knows. */
function checkPlanningProvider(name: string | undefined): void {
  if (name !== undefined && !planningNames().includes(name))
    throw new UserInputError(`--provider: unknown provider "${name}"`, {
      hint: `choose one of ${planningNames().join(", ")}`,
    });
}

/** A plan for a song outside a project: the provider's constraints and the default transition. */
function planForSong(analysis: Analysis, provider: string, minSeconds?: number, maxSeconds?: number): Plan {
  const constraints = clipConstraints({ provider });
  const fps = constraints.fps.num / constraints.fps.den;
  return planSong(analysis, constraints, {
    provider,
    minSeconds,
    maxSeconds,
    transitionFrames: Math.round(0.32 * fps),
  });
}

export function registerCommands(program: Command, cli: Cli): void {
  program
    .command("new")
    .description("create a project folder with a commented refrain.yaml")
    .argument("<name>", "folder to create")
    .requiredOption("--song <file>", "the song (any audio file ffmpeg reads)")
    .requiredOption("--image <file>", "the singer's image")
    .option("--lyrics <file>", "lyric timings: LRC, SRT, Suno aligned words JSON or plain lyrics")
    .option("--provider <name>", "clip provider", "local")
    .option("--no-copy", "refer to the inputs where they are instead of copying them in")
    .action(
      async (
        name: string,
        o: { song: string; image: string; lyrics?: string; provider: string; copy: boolean },
      ) => {
        checkTools(cli.tools);
        await probeAudio(cli.tools, resolve(cli.cwd, o.song), cli.signal);
        await probeImage(cli.tools, resolve(cli.cwd, o.image), cli.signal);
        const dir = await createProject(resolve(cli.cwd, name), {
          song: resolve(cli.cwd, o.song),
          image: resolve(cli.cwd, o.image),
          lyrics: o.lyrics ? resolve(cli.cwd, o.lyrics) : undefined,
          provider: o.provider,
          copyInputs: o.copy,
        });
        // Quoted, so a name with spaces can be pasted into a shell as printed.
        cli.out(`created ${dir}/refrain.yaml — next: cd ${shellQuote(name)} && npx refrain make`);
      },
    );

  program
    .command("analyze")
    .description("find the tempo, beats, downbeats and where the voice sings")
    .argument("[song]", "a song file (default: the project's song)")
    .option("--lyrics <file>", "lyric timings to use")
    .option("--json", "print JSON")
    .option("--plot <png>", "draw waveform, beats, voice, lyric lines and the plan's cuts to a PNG")
    .option(
      "--provider <name>",
      `with SONG: whose frame rules the plotted plan follows (${planningNames().join(", ")}; default local); a project plots its own plan`,
    )
    .action(
      async (
        song: string | undefined,
        o: { lyrics?: string; json?: boolean; plot?: string; provider?: string },
      ) => {
        checkTools(cli.tools);
        checkPlanningProvider(o.provider);
        const png = o.plot ? resolve(cli.cwd, o.plot) : undefined;
        // Before the analysis, which takes a while: a plot that cannot be written fails at once.
        if (png) await checkCanWrite(png, "the plot");
        let analysis: Analysis;
        let plan: Plan | undefined;
        let samples: Float32Array | undefined;
        // The plot's header names the song.
        let songName: string;
        if (song) {
          const songPath = resolve(cli.cwd, song);
          songName = basename(songPath);
          ({ analysis, samples } = await analyzeSong(cli.tools, songPath, {
            lyricsPath: o.lyrics ? resolve(cli.cwd, o.lyrics) : undefined,
            signal: cli.signal,
            onCommand: cli.onCommand,
            warn: o.json ? undefined : (w) => cli.err(`warning: ${w}`),
          }));
          if (o.plot) plan = planForSong(analysis, o.provider ?? "local");
        } else {
          const r = await withProjectPlan(program, cli, {});
          analysis = r.analysis;
          plan = r.plan;
          songName = basename(r.songPath);
          if (o.plot)
            samples = await decodeMono(cli.tools, r.songPath, {
              signal: cli.signal,
              onCommand: cli.onCommand,
            });
        }
        if (png && samples) {
          const image = plotAnalysis(samples, analysis, plan);
          const text = plotAss(plotLabels(analysis, plan, { songName }), image);
          const { warnings } = await writePng(cli.tools, image, png, { signal: cli.signal, text });
          for (const w of warnings) cli.err(`warning: the plot: ${w}`);
          // The picture carries its legend; the line says what it found.
          const verdict = plotVerdict(analysis, plan);
          cli.err(`wrote ${png}${verdict ? ` — ${verdict.text}` : ""}`);
        }
        if (o.json) return printJson(cli, analysisToJson(analysis));
        const j = analysisToJson(analysis) as {
          duration_s: number;
          tempo_bpm: number | null;
          beats_s: number[];
          vocal_intervals_s: number[][];
        };
        cli.out(`duration   ${j.duration_s.toFixed(2)} s`);
        cli.out(
          `tempo      ${j.tempo_bpm === null ? "no steady beat" : `${j.tempo_bpm} BPM`} (${j.beats_s.length} beats)`,
        );
        cli.out(`voice      ${j.vocal_intervals_s.length} intervals (${analysis.vocalSource})`);
        if (analysis.lyrics)
          cli.out(
            `lyrics     ${analysis.lyrics.lines.length} lines (${analysis.lyrics.format}${analysis.lyrics.estimated ? ", times estimated" : ""})`,
          );
      },
    );

  program
    .command("plan")
    .description("cut the song into clips sized to the provider's frame rules")
    .argument("[song]", "a song file (default: the project's song)")
    .option("--lyrics <file>", "lyric timings to use")
    .option("--provider <name>", `clip provider (${planningNames().join(", ")})`)
    .option("--min-s <seconds>", "shortest clip", parseNumber("--min-s"))
    .option("--max-s <seconds>", "longest clip", parseNumber("--max-s"))
    .option("--json", "print JSON")
    .action(
      async (
        song: string | undefined,
        o: { lyrics?: string; provider?: string; minS?: number; maxS?: number; json?: boolean },
      ) => {
        checkTools(cli.tools);
        checkPlanningProvider(o.provider);
        let plan: Plan;
        if (song) {
          const { analysis } = await analyzeSong(cli.tools, resolve(cli.cwd, song), {
            lyricsPath: o.lyrics ? resolve(cli.cwd, o.lyrics) : undefined,
            signal: cli.signal,
            onCommand: cli.onCommand,
            warn: o.json ? undefined : (w) => cli.err(`warning: ${w}`),
          });
          plan = planForSong(analysis, o.provider ?? "local", o.minS, o.maxS);
        } else {
          plan = (await withProjectPlan(program, cli, o)).plan;
        }
        if (o.json) return printJson(cli, planToJson(plan));
        const j = planToJson(plan) as {
          segments: {
            index: number;
            start_s: number;
            end_s: number;
            frames: number;
            kind: string;
            generate_frames: number;
          }[];
          waste_ratio: number;
          fps: number;
        };
        for (const s of j.segments) {
          cli.out(
            `${String(s.index).padStart(3)}  ${s.start_s.toFixed(2).padStart(7)}–${s.end_s.toFixed(2).padEnd(7)} ${String(s.frames).padStart(5)} frames  ${s.kind}`,
          );
        }
        cli.out(`${j.segments.length} clips at ${j.fps} fps, waste ${j.waste_ratio.toFixed(3)}`);
        for (const w of plan.warnings) cli.err(`warning: ${w}`);
      },
    );

  program
    .command("doctor")
    .description("check ffmpeg, its filters, folders and which provider keys are set")
    .option("--json", "print JSON")
    .action(async (o: { json?: boolean }) => {
      const report = await doctor(cli, resolve(cli.cwd, program.opts<{ project?: string }>().project ?? "."));
      if (o.json) printJson(cli, report);
      else {
        for (const c of report.checks) cli.out(`${c.ok ? "ok  " : "FAIL"}  ${c.name.padEnd(22)} ${c.detail}`);
        cli.out("keys:");
        for (const k of report.keys)
          cli.out(`      ${k.name.padEnd(22)} ${k.set ? "set" : "not set"} (${k.provider})`);
      }
      // A script reading --json gets the report on stdout and the verdict in the exit code.
      if (!report.ok)
        throw new UserInputError(
          `some checks failed: ${report.checks
            .filter((c) => !c.ok)
            .map((c) => c.name)
            .join(", ")}`,
        );
    });

  registerProjectCommands(program, cli);
  registerTakeCommands(program, cli);
  registerMakeCommands(program, cli);
  registerModelsCommand(program, cli);
  registerReviewCommand(program, cli);
  registerWorkerCommand(program, cli);
}

export interface DoctorReport {
  ok: boolean;
  checks: { name: string; ok: boolean; detail: string }[];
  keys: { name: string; provider: string; set: boolean }[];
}

async function doctor(cli: Cli, projectDir: string): Promise<DoctorReport> {
  const checks: DoctorReport["checks"] = [];
  const check = async (name: string, fn: () => Promise<string> | string) => {
    try {
      checks.push({ name, ok: true, detail: await fn() });
    } catch (e) {
      checks.push({ name, ok: false, detail: e instanceof Error ? e.message.split("\n")[0]! : String(e) });
    }
  };
  await check("node", () => {
    const major = Number(process.versions.node.split(".")[0]);
    if (major < 20)
      throw new Error(`Node ${process.versions.node} is too old: refrain needs Node 20 or newer`);
    return process.versions.node;
  });
  await check("ffmpeg", () => {
    const r = inspectTools(cli.tools);
    if (!(r.major >= 5)) throw new Error(`ffmpeg ${r.version} at ${r.ffmpeg} is too old (need ≥ 5)`);
    if (r.missingFilters.length)
      throw new Error(`ffmpeg ${r.version} lacks filters: ${r.missingFilters.join(", ")}`);
    if (!r.encoders.libx264 || !r.encoders.aac) throw new Error(`ffmpeg ${r.version} lacks libx264 or aac`);
    return `${r.version} (${r.ffmpeg}), all filters present`;
  });
  await check("sqlite", async () => {
    const { default: Database } = await import("better-sqlite3");
    const db = new Database(":memory:");
    const v = (db.prepare("select sqlite_version() as v").get() as { v: string }).v;
    db.close();
    return `SQLite ${v}`;
  });
  await check("store", () => describeStore(projectDir, cli.env));
  await check("writable: project", async () => {
    await access(cli.cwd, constants.W_OK);
    return cli.cwd;
  });
  await check("writable: temp", async () => {
    const d = await mkdtemp(join(tmpdir(), "refrain-doctor-"));
    await rm(d, { recursive: true });
    return tmpdir();
  });
  // Burnt-in lyrics (the default) need the font; say so here rather than at the end of a long make.
  await check("font: lyrics", async () => {
    await checkFont(DEFAULT_SUBTITLE_FONT);
    return DEFAULT_SUBTITLE_FONT;
  });
  // Keys count as set from the environment or the project's .env, as a session reads them (values never kept).
  const fromDotenv: Record<string, string> = {};
  loadDotenv({ path: join(projectDir, ".env"), processEnv: fromDotenv, quiet: true });
  const keys = KEY_VARIABLES.map((k) => ({
    name: k.name,
    provider: k.provider,
    set: Boolean(cli.env[k.name]?.trim() || fromDotenv[k.name]?.trim()),
  }));
  return { ok: checks.every((c) => c.ok), checks, keys };
}
