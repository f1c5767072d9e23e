// Commands over takes and money: takes, pick, reroll, estimate, cost, prune, explain, export.
import { join, resolve } from "node:path";
import type { Command } from "commander";
import type { Lyrics } from "../analysis/types.js";
import {
  costReport,
  describeKeyChanges,
  explainKey,
  pickTake,
  prune,
  rerollSegment,
} from "../engine/index.js";
import { UserInputError } from "../errors/index.js";
import { toAss, toLrc, toSrt, writeEditList, writeKdenlive, writeOtio } from "../export/index.js";
import { writeFileAtomic } from "../files/index.js";
import {
  analysisKey,
  analyzeStage,
  estimateJobs,
  jobsForPlan,
  keyImageStats,
  measurePickedTake,
  planKey,
  planStage,
  renderSettings,
  runJobs,
  type Session,
  timelineFor,
  updateLock,
} from "../pipeline/index.js";
import type { Plan } from "../plan/types.js";
import { hashFile, hashKey, type Take } from "../store/index.js";
import type { Cli } from "./context.js";
import { withSession } from "./project-commands.js";

function segmentNumber(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0)
    throw new UserInputError(`segment must be a whole number ≥ 0, got "${v}"`);
  return n;
}

/** Errors of the file system that mean the output path the user gave cannot be written. */
const UNWRITABLE = new Set(["ENOENT", "EACCES", "EPERM", "EROFS", "ENOTDIR", "EISDIR", "ENOSPC"]);

/** Runs `write`; an output the user named where nothing can be written is bad input (exit 2), not a bug. */
async function writingTo(out: string, write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (!code || !UNWRITABLE.has(code)) throw e;
    throw new UserInputError(`cannot write ${out} (${code})`, {
      file: out,
      hint: "choose an output folder you can write to",
      cause: e,
    });
  }
}

/** The measured sync offset of each finished take whose segment is in the current plan (cached per take). */
async function offsets(session: Session, takes: Take[]): Promise<Map<string, number>> {
  const analysis = await analyzeStage(session);
  const plan = (await planStage(session, analysis)).value;
  const key = await keyImageStats(session);
  const out = new Map<string, number>();
  for (const t of takes) {
    const segment = plan.segments[t.segment];
    if (t.status !== "succeeded" || t.stale || !segment) continue;
    const m = await measurePickedTake(session, plan, segment, t, key);
    out.set(t.id, m.offsetFrames);
  }
  return out;
}

/** Prints the plan's estimated cost per provider for the clips still to make; nothing is submitted. */
export async function printEstimate(cli: Cli, session: Session, json: boolean): Promise<void> {
  const analysis = await analyzeStage(session);
  const plan = await planStage(session, analysis);
  const { jobs } = await jobsForPlan(session, plan.value, analysis.value);
  const done = new Set((await session.store.listTakes({ statuses: ["succeeded"] })).map((t) => t.segmentKey));
  const todo = jobs.filter((j) => !done.has(j.segmentKey));
  const e = await estimateJobs(session, todo);
  const report = {
    provider: session.clip.provider,
    segments: jobs.length,
    to_generate: todo.length,
    video_seconds: e.videoSeconds,
    estimated_usd: e.totalUsd,
    per_provider_usd: e.perProvider,
    budget_usd: session.project.config.budget ?? null,
  };
  if (json) return cli.out(JSON.stringify(report, null, 2));
  cli.out(
    `${todo.length} of ${jobs.length} clips to generate (${e.videoSeconds.toFixed(1)} s of video) on ${session.clip.provider}`,
  );
  for (const [name, usd] of Object.entries(e.perProvider)) cli.out(`  ${name}: $${usd.toFixed(2)}`);
  cli.out(
    `estimated cost: $${e.totalUsd.toFixed(2)}${report.budget_usd !== null ? ` (budget $${report.budget_usd.toFixed(2)})` : ""}`,
  );
}

export function registerTakeCommands(program: Command, cli: Cli): void {
  program
    .command("takes")
    .description("list every take (all segments, or one)")
    .argument("[segment]", "segment number", segmentNumber)
    .option("--json", "print JSON")
    .option("--no-measure", "skip measuring sync offsets")
    .action(async (segment: number | undefined, o: { json?: boolean; measure: boolean }) => {
      await withSession(program, cli, async (session) => {
        const takes = await session.store.listTakes(segment === undefined ? {} : { segment });
        const offset = o.measure ? await offsets(session, takes) : new Map<string, number>();
        const rows = takes.map((t) => ({
          segment: t.segment,
          take: t.id,
          provider: t.provider,
          model: t.model,
          status: t.status,
          picked: t.picked,
          stale: t.stale,
          cost: t.actualUsd ?? t.estimatedUsd,
          seed: t.seed,
          offset_frames: offset.get(t.id) ?? null,
          failure: t.failureReason,
        }));
        if (o.json) return cli.out(JSON.stringify(rows, null, 2));
        if (rows.length === 0) return cli.out("no takes yet — run `refrain generate`");
        for (const r of rows) {
          cli.out(
            `${String(r.segment).padStart(3)} ${r.picked && !r.stale ? "*" : " "} ${r.take}  ${r.status.padEnd(9)} seed ${String(r.seed).padEnd(10)} $${r.cost.toFixed(2)}${r.offset_frames ? `  offset ${r.offset_frames} f` : ""}${r.stale ? `  (stale${r.picked ? ": was picked for a segment the plan no longer has" : ""})` : ""}${r.failure ? `  ${r.failure}` : ""}`,
          );
        }
      });
    });

  program
    .command("pick")
    .description("choose which take a segment uses")
    .argument("<segment>", "segment number", segmentNumber)
    .argument("<take>", "take id (from `refrain takes`)")
    .action(async (segment: number, takeId: string) => {
      await withSession(program, cli, async (session) => {
        await pickTake(session.store, segment, takeId, session.now());
        await updateLock(session);
        cli.out(`segment ${segment} now uses take ${takeId}`);
      });
    });

  program
    .command("reroll")
    .description("make more takes of a segment with new seeds")
    .argument("<segment>", "segment number", segmentNumber)
    .option("-n, --count <n>", "how many new takes", (v) => Number(v), 1)
    .option("--seed <seed>", "use this seed", (v) => Number(v))
    .action(async (segment: number, o: { count: number; seed?: number }) => {
      await withSession(program, cli, async (session) => {
        // The latest plan tells a segment that does not exist from one that has no takes yet.
        const plan = (await session.store.latestStage("plan"))?.result as Plan | undefined;
        if (plan && segment >= plan.segments.length) {
          throw new UserInputError(
            `there is no segment ${segment}: the plan has ${plan.segments.length} (0–${plan.segments.length - 1})`,
            { hint: "see `refrain plan` or `refrain takes`" },
          );
        }
        const based = await rerollSegment(
          session.store,
          segment,
          o.seed === undefined ? { count: o.count } : { seeds: [o.seed] },
        );
        // The image may have been replaced since the take rerolled was made: the job carries the file's
        // hash as it is now, or the new take would be filed under the old picture (a chained
        // continuity job starts from a last frame instead, and keeps it).
        const imageHash = await hashFile(session.project.imagePath, "image");
        const jobs = based.map((j) =>
          j.startFrom || j.image !== session.project.imagePath ? j : { ...j, imageHash },
        );
        const estimate = await estimateJobs(session, jobs);
        if (estimate.totalUsd > 0) cli.err(`estimated cost: $${estimate.totalUsd.toFixed(2)}`);
        const report = await runJobs(session, jobs);
        const made = report.succeeded.filter((s) => !s.earlier).map((s) => s.takeId);
        cli.out(
          `${made.length} new take(s) for segment ${segment}${made.length ? `: ${made.join(", ")}` : ""}; ${report.failed.length} failed${made.length ? ` — use one with \`refrain pick ${segment} <take>\`` : ""}`,
        );
      });
    });

  program
    .command("estimate")
    .description("the plan with its estimated cost per provider — nothing is spent")
    .option("--json", "print JSON")
    .action(async (o: { json?: boolean }) => {
      await withSession(program, cli, (session) => printEstimate(cli, session, o.json ?? false));
    });

  program
    .command("cost")
    .description("money spent, reserved, and $ per accepted second of video")
    .option("--json", "print JSON")
    .action(async (o: { json?: boolean }) => {
      await withSession(program, cli, async (session) => {
        const r = await costReport(session.store, session.project.dir);
        if (o.json) return cli.out(JSON.stringify(r, null, 2));
        cli.out(`spent     $${r.spentUsd.toFixed(2)}   (reserved $${r.reservedUsd.toFixed(2)})`);
        cli.out(`songs     $${r.songs_usd.toFixed(2)}   images $${r.images_usd.toFixed(2)}`);
        cli.out(
          `accepted  ${r.acceptedVideoSeconds.toFixed(1)} s of video in ${r.takes.picked} picked takes`,
        );
        cli.out(
          `per second ${r.usdPerAcceptedSecond === null ? "—" : `$${r.usdPerAcceptedSecond.toFixed(3)}`}`,
        );
      });
    });

  program
    .command("prune")
    .description("delete takes nobody picked, and say what it frees")
    .option("--all", "also delete picked takes")
    .action(async (o: { all?: boolean }) => {
      await withSession(program, cli, async (session) => {
        const r = await prune(session.store, { keepPicked: !o.all });
        cli.out(`pruned ${r.takes} take(s), freed ${(r.bytesFreed / 1024 / 1024).toFixed(1)} MiB`);
      });
    });

  program
    .command("explain")
    .description("why a stage would run again: what changed in its key")
    .argument("[stage]", "analysis or plan", "plan")
    .action(async (stage: string) => {
      await withSession(program, cli, async (session) => {
        if (stage !== "analysis" && stage !== "plan")
          throw new UserInputError(`explain: unknown stage "${stage}"`, { hint: "use analysis or plan" });
        const aKey = await analysisKey(session);
        const key = stage === "analysis" ? aKey : planKey(session, hashKey(aKey));
        const latest = await session.store.latestStage(stage);
        if (!latest) return cli.out(`${stage}: never run`);
        const changes = explainKey(latest.key, key);
        if (changes.length === 0) return cli.out(`${stage}: up to date`);
        cli.out(`${stage} runs again because:`);
        for (const line of describeKeyChanges(changes)) cli.out(`  ${line}`);
      });
    });

  program
    .command("export")
    .description("write a Kdenlive or OpenTimelineIO project, subtitles, or an edit list")
    .argument("<format>", "kdenlive | otio | ass | srt | lrc | editlist")
    .option("--out <file>", "output file (default out/<title>.<ext>)")
    .action(async (format: string, o: { out?: string }) => {
      const ext: Record<string, string> = {
        kdenlive: "kdenlive",
        otio: "otio",
        ass: "ass",
        srt: "srt",
        lrc: "lrc",
        editlist: "csv",
      };
      if (!ext[format])
        throw new UserInputError(`export: unknown format "${format}"`, {
          hint: "use kdenlive, otio, ass, srt, lrc or editlist",
        });
      await withSession(program, cli, async (session) => {
        const out = o.out
          ? resolve(cli.cwd, o.out)
          : join(session.project.dir, "out", `${session.project.name}.${ext[format]}`);
        const analysis = await analyzeStage(session);
        /** The karaoke subtitles as the render burns them, at the video's frame size. */
        const karaokeAss = (lyrics: Lyrics) => {
          const size = renderSettings(session, false);
          const preset = session.project.config.output.aspect;
          return toAss(lyrics, { width: size.width, height: size.height, preset, karaoke: true });
        };
        if (format === "ass" || format === "srt" || format === "lrc") {
          const lyrics = analysis.value.lyrics;
          if (!lyrics)
            throw new UserInputError("the project has no lyrics to export", {
              hint: "add `lyrics: song.lrc` to refrain.yaml",
            });
          const text =
            format === "ass" ? karaokeAss(lyrics) : format === "srt" ? toSrt(lyrics) : toLrc(lyrics);
          await writingTo(out, () => writeFileAtomic(out, text));
        } else {
          const plan = await planStage(session, analysis);
          const { timeline } = await timelineFor(session, plan.value, analysis.value);
          const size = renderSettings(session, false);
          const lyrics = analysis.value.lyrics;
          // The karaoke lyrics go with the Kdenlive project as a file beside it, as in refrain's render.
          const subtitlesPath =
            format === "kdenlive" && lyrics && session.project.config.output.subtitles !== "none"
              ? `${out}.ass`
              : undefined;
          await writingTo(out, async () => {
            if (subtitlesPath && lyrics) await writeFileAtomic(subtitlesPath, karaokeAss(lyrics));
            await (format === "kdenlive"
              ? writeKdenlive(timeline, out, {
                  width: size.width,
                  height: size.height,
                  ...(subtitlesPath ? { subtitlesPath } : {}),
                })
              : format === "otio"
                ? writeOtio(timeline, out)
                : writeEditList(timeline, out));
          });
          if (subtitlesPath) cli.out(`wrote ${subtitlesPath}`);
        }
        cli.out(`wrote ${out}`);
      });
    });
}
