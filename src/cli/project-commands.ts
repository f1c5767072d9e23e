// Commands that work on a project folder: make, generate, render, demo, and the project side of analyze/plan.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import type { Command } from "commander";
import { writeDemoInputs } from "../demo/index.js";
import type { EngineEvent, GenerateReport } from "../engine/index.js";
import { UserInputError } from "../errors/index.js";
import { checkCanWrite } from "../files/index.js";
import {
  analyzeStage,
  generateStage,
  make,
  openSession,
  planStage,
  renderStage,
  type Session,
} from "../pipeline/index.js";
import { planToJson } from "../plan/index.js";
import { fieldLocation, loadProject, projectTemplate } from "../project/index.js";
import { planningNames, providerNames } from "../providers/index.js";
import type { Cli } from "./context.js";
import { gapsFrom, gapWarning, SegmentsWithoutTake } from "./gaps.js";
import { progress } from "./progress.js";
import { printEstimate } from "./take-commands.js";

function projectDir(program: Command, cli: Cli): string {
  const opt = program.opts<{ project?: string }>().project;
  return resolve(cli.cwd, opt ?? ".");
}

/**
 * A misspelt provider in refrain.yaml is found when the project opens, and pointed at like any
 * other error in the file (file:line:col), not later by the provider registry that knows no file.
 */
async function checkProviderNames(dir: string): Promise<void> {
  const project = await loadProject(dir);
  const clip = project.config.clip as Record<string, unknown>;
  const known = planningNames();
  const named: { path: string[]; name: unknown }[] = [{ path: ["clip", "provider"], name: clip.provider }];
  for (const kind of ["vocal", "instrumental"] as const) {
    const override = clip[kind] as { provider?: unknown } | undefined;
    if (override && typeof override === "object")
      named.push({ path: ["clip", kind, "provider"], name: override.provider });
  }
  for (const { path, name } of named) {
    if (typeof name !== "string" || known.includes(name)) continue;
    const where = fieldLocation(await readFile(project.file, "utf8"), project.file, path);
    throw new UserInputError(`${where}: ${path.join(".")}: unknown provider "${name}"`, {
      file: project.file,
      hint: `choose one of ${providerNames().join(", ")}`,
    });
  }
}

export async function openProjectSession(program: Command, cli: Cli, dir?: string): Promise<Session> {
  const folder = dir ?? projectDir(program, cli);
  // Before the store is opened, so a typo leaves nothing behind in the project folder.
  await checkProviderNames(folder);
  return openSession(folder, {
    tools: cli.tools,
    env: cli.env,
    signal: cli.signal,
    onCommand: cli.onCommand,
    log: (line) => cli.err(line),
  });
}

export async function withSession<T>(
  program: Command,
  cli: Cli,
  fn: (s: Session) => Promise<T>,
  dir?: string,
): Promise<T> {
  const session = await openProjectSession(program, cli, dir);
  try {
    return await fn(session);
  } finally {
    await session.close();
  }
}

/** The project's analysis and plan (cached stages), for `analyze` and `plan` without a song argument. */
export function withProjectPlan(program: Command, cli: Cli, _o: unknown) {
  return withSession(program, cli, async (s) => {
    const analysis = await analyzeStage(s);
    const plan = await planStage(s, analysis);
    return { analysis: analysis.value, plan: plan.value, songPath: s.project.songPath };
  });
}

/** Prints engine events as short lines (a bar would hide which segment failed). */
function eventPrinter(cli: Cli): (e: EngineEvent) => void {
  return (e) => {
    if (e.type === "succeeded") cli.err(`segment ${e.segment}: take ${e.takeId} done`);
    else if (e.type === "failed") cli.err(`segment ${e.segment}: failed — ${e.reason}`);
    else if (e.type === "uncertain") cli.err(`segment ${e.segment}: uncertain — ${e.reason}`);
    else if (e.type === "retry" && cli.verbose)
      cli.err(`segment ${e.segment}: retrying ${e.step} in ${e.delayMs} ms (${e.reason})`);
    else if (e.type === "budget-exceeded")
      cli.err(
        `segment ${e.segment}: not submitted — $${e.estimatedUsd.toFixed(2)} would cross the budget ($${e.committedUsd.toFixed(2)} of $${e.budgetUsd.toFixed(2)} committed)`,
      );
  };
}

function reportGeneration(cli: Cli, g: GenerateReport): void {
  const made = g.succeeded.filter((s) => !s.earlier).length;
  cli.err(
    `generate: ${made} new take(s), ${g.succeeded.length - made} already done, ${g.failed.length} failed`,
  );
  for (const u of g.uncertain)
    cli.err(
      `  segment ${u.segment}: take ${u.takeId} is uncertain (${u.reason}) — check the provider, then \`refrain takes\``,
    );
  if (g.cancelled && g.inFlight.length) {
    cli.err(`stopped; ${g.inFlight.length} remote job(s) still running — \`refrain make\` picks them up:`);
    for (const j of g.inFlight)
      cli.err(`  segment ${j.segment}: ${j.endpoint} ${j.remoteId ?? "(not yet accepted)"}`);
  }
}

/**
 * After a render: segments without a take fail the command (the video is written already) unless
 * the user accepted gaps, when they are only a warning.
 */
async function checkGaps(cli: Cli, session: Session, missing: readonly number[], allowGaps?: boolean) {
  if (missing.length === 0) return;
  if (allowGaps) {
    cli.err(gapWarning(missing));
    return;
  }
  const takes = (await Promise.all(missing.map((segment) => session.store.listTakes({ segment })))).flat();
  throw new SegmentsWithoutTake(gapsFrom(missing, takes));
}

const ALLOW_GAPS =
  "exit 0 even when segments have no take (they show black); without it such a run exits 4 or 2";

export function registerProjectCommands(program: Command, cli: Cli): void {
  program
    .command("make")
    .alias("resume")
    .description("analyse, plan, generate and render the project's video (only what changed)")
    .option("--draft", "render a fast low-resolution preview")
    .option("--dry-run", "plan and stop: nothing is generated or spent")
    .option("--out <file>", "output file (default out/<title>.mp4)")
    .option("--max-spend <usd>", "budget cap for this run, US dollars", Number)
    .option("--json", "print a JSON summary")
    .option("--local", "with REFRAIN_DATABASE_URL: make the takes here instead of queueing them for workers")
    .option("--allow-gaps", ALLOW_GAPS)
    .action(
      async (o: {
        allowGaps?: boolean;
        draft?: boolean;
        dryRun?: boolean;
        out?: string;
        maxSpend?: number;
        json?: boolean;
        local?: boolean;
      }) => {
        await withSession(program, cli, async (opened) => {
          const session = o.local ? { ...opened, local: true } : opened;
          const bar = progress(cli, "render");
          const result = await make(session, {
            draft: o.draft,
            dryRun: o.dryRun,
            out: o.out ? resolve(cli.cwd, o.out) : undefined,
            budgetUsd: o.maxSpend,
            onEvent: eventPrinter(cli),
            onProgress: (f) => bar.update(f),
          }).finally(() => bar.stop());
          const total = result.plan.value.segments.length;
          if (result.render && !result.render.cached)
            for (const w of result.render.warnings) cli.err(`warning: ${w}`);
          if (o.json) {
            cli.out(
              JSON.stringify(
                {
                  up_to_date: result.upToDate,
                  output: result.render?.path ?? null,
                  missing_segments: result.render?.missingSegments ?? [],
                  plan: planToJson(result.plan.value),
                },
                null,
                2,
              ),
            );
            if (result.render) await checkGaps(cli, session, result.render.missingSegments, o.allowGaps);
            return;
          }
          if (o.dryRun) {
            await printEstimate(cli, session, false);
            cli.out(`dry run: ${total} clips planned, nothing generated or spent`);
            return;
          }
          if (result.generation) reportGeneration(cli, result.generation);
          if (result.upToDate)
            cli.out(
              `everything is up to date: ${relative(cli.cwd, result.render!.path) || result.render!.path}`,
            );
          else if (result.render) {
            // New takes nobody picked (a reroll) leave the video as it was: say so rather than "wrote".
            cli.out(
              `${result.render.cached ? "video unchanged" : "wrote"} ${relative(cli.cwd, result.render.path)}`,
            );
          }
          if (result.render) await checkGaps(cli, session, result.render.missingSegments, o.allowGaps);
        });
      },
    );

  program
    .command("generate")
    .description("make a take for every planned segment that has none")
    .option("--local", "with REFRAIN_DATABASE_URL: make the takes here instead of queueing them for workers")
    .action(async (o: { local?: boolean }) => {
      await withSession(program, cli, async (opened) => {
        const session = o.local ? { ...opened, local: true } : opened;
        const analysis = await analyzeStage(session);
        const plan = await planStage(session, analysis);
        const report = await generateStage(session, plan.value, analysis.value, {
          onEvent: eventPrinter(cli),
        });
        reportGeneration(cli, report);
      });
    });

  program
    .command("render")
    .description("render the picked takes into the finished video")
    .option("--draft", "fast low-resolution preview")
    .option("--out <file>", "output file")
    .option("--allow-gaps", ALLOW_GAPS)
    .action(async (o: { draft?: boolean; out?: string; allowGaps?: boolean }) => {
      await withSession(program, cli, async (session) => {
        const analysis = await analyzeStage(session);
        const plan = await planStage(session, analysis);
        const bar = progress(cli, "render");
        const r = await renderStage(session, plan.value, plan.keyHash, analysis.value, {
          draft: o.draft,
          out: o.out ? resolve(cli.cwd, o.out) : undefined,
          onProgress: (f) => bar.update(f),
        }).finally(() => bar.stop());
        // Said when the video is made, not on every "up to date".
        if (!r.cached) for (const w of r.warnings) cli.err(`warning: ${w}`);
        cli.out(r.cached ? `up to date: ${r.path}` : `wrote ${r.path}`);
        await checkGaps(cli, session, r.missingSegments, o.allowGaps);
      });
    });

  program
    .command("demo")
    .description("make a video from a synthesised song and image — no input needed")
    .option("--out <file>", "output file", "demo.mp4")
    .option("--keep <dir>", "keep the demo project in this folder")
    .action(async (o: { out: string; keep?: string }) => {
      const out = resolve(cli.cwd, o.out);
      // Before the song, the image and every take are made: a video that cannot be written fails at once.
      await checkCanWrite(out, "the video");
      const dir = o.keep ? resolve(cli.cwd, o.keep) : await mkdtemp(join(tmpdir(), "refrain-demo-"));
      try {
        cli.err("synthesising a song and a singer…");
        await writeDemoInputs(cli.tools, dir, { signal: cli.signal, onCommand: cli.onCommand });
        const text = projectTemplate({
          song: "song.m4a",
          image: "singer.png",
          lyrics: "song.lrc",
          provider: "local",
          title: "demo",
        })
          // A demo should be quick: a small picture and a fast encode.
          .replace("resolution: 720 ", "resolution: 480 ")
          .replace("preset: medium   ", "preset: veryfast "); // as long, so the comments stay in line
        await writeFile(join(dir, "refrain.yaml"), text);
        await withSession(
          program,
          cli,
          async (session) => {
            const bar = progress(cli, "render");
            const result = await make(session, {
              out,
              onProgress: (f) => bar.update(f),
              onEvent: eventPrinter(cli),
            }).finally(() => bar.stop());
            cli.out(`wrote ${relative(cli.cwd, result.render!.path) || result.render!.path}`);
          },
          dir,
        );
      } finally {
        if (!o.keep) await rm(dir, { recursive: true, force: true });
      }
    });
}
