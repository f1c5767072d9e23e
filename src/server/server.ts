// The review server: a token-guarded JSON API over one project, its media by hash, live job progress, the page.
import { randomBytes, timingSafeEqual } from "node:crypto";
import { existsSync } from "node:fs";
import { copyFile, mkdir, readdir, realpath, stat } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { basename, dirname, extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import type { Analysis } from "../analysis/types.js";
import { costReport, generate, pickTake, rerollSegment } from "../engine/index.js";
import { isRefrainError } from "../errors/index.js";
import { decodeMono, type Tools } from "../media/index.js";
import {
  analyzeStage,
  openProviders,
  openSession,
  planStage,
  renderStage,
  type Session,
  type StageOutcome,
} from "../pipeline/index.js";
import type { Plan } from "../plan/types.js";
import { defaultOutputPath, frameSize } from "../project/index.js";
import { estimateCost } from "../providers/clip.js";
import type { Take } from "../store/index.js";
import { framesToSamples, rateToNumber, samplesToSeconds } from "../time/index.js";
import { confinedFile, isInside, pathSegments, sendFile } from "./files.js";
import { type ReviewMarks, readMarks, toggled, writeMarks } from "./marks.js";
import { openBrowser } from "./open.js";
import { waveformPeaks } from "./peaks.js";

export interface ReviewServerOptions {
  projectDir: string;
  /** 0 or absent: any free port. */
  port?: number;
  /** Only loopback is ever bound. */
  host?: "127.0.0.1";
  tools: Tools;
  env?: NodeJS.ProcessEnv;
  /** Open the page in the user's browser (xdg-open / open); failure is ignored. */
  open?: boolean;
  /** The built page (default: dist/web of this package). */
  webDir?: string;
  /** Notes for the user (stderr in the CLI). */
  log?: (line: string) => void;
  now?: () => number;
}

export interface ReviewServer {
  /** The page's address with the token in it. */
  readonly url: string;
  readonly token: string;
  readonly port: number;
  close(): Promise<void>;
}

export type JobKind = "reroll" | "render";
export type JobStatus = "queued" | "running" | "done" | "failed";

export interface JobView {
  id: string;
  kind: JobKind;
  label: string;
  segment: number | null;
  status: JobStatus;
  /** 0…1 when known. */
  progress: number | null;
  /** What happened (done) or went wrong (failed), one line. */
  message: string | null;
  /** For a finished render: the video's URL (token not included). */
  output: string | null;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const HASH = /^[0-9a-f]{64}$/;
const PEAK_POINTS = 1000;
const BODY_LIMIT = 64 * 1024;

const PickBody = z.object({ segment: z.number().int().nonnegative(), takeId: z.string().min(1) });
const RejectBody = z.object({ takeId: z.string().min(1), rejected: z.boolean().default(true) });
const LockBody = z.object({ segment: z.number().int().nonnegative(), locked: z.boolean().default(true) });
const RerollBody = z.object({
  segment: z.number().int().nonnegative(),
  count: z.number().int().min(1).max(8).default(1),
  seed: z
    .number()
    .int()
    .nonnegative()
    .max(2 ** 31)
    .optional(),
});
const RenderBody = z.object({ mode: z.enum(["draft", "final"]) });

/** The page's folder: dist/web beside the compiled server, or the package's dist/web when run from source. */
function defaultWebDir(): string {
  const candidates = [
    fileURLToPath(new URL("../web/", import.meta.url)),
    fileURLToPath(new URL("../../dist/web/", import.meta.url)),
  ];
  return candidates.find((d) => existsSync(join(d, "index.html"))) ?? candidates[1]!;
}

function secondsOf(samples: number): number {
  return Math.round(samplesToSeconds(samples) * 1000) / 1000;
}

function messageOf(e: unknown): string {
  if (isRefrainError(e)) return e.shortMessage;
  if (e instanceof z.ZodError)
    return `bad request: ${e.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ")}`;
  return e instanceof Error ? e.message.split("\n")[0]! : String(e);
}

export async function startReviewServer(options: ReviewServerOptions): Promise<ReviewServer> {
  const log = options.log ?? (() => {});
  const now = options.now ?? Date.now;
  // Stopping the server stops its running re-roll or render (remote jobs are picked up by the next run).
  const stop = new AbortController();
  const session: Session = await openSession(options.projectDir, {
    tools: options.tools,
    env: options.env,
    signal: stop.signal,
    log,
    now,
  });
  try {
    return await serve(session, options, log, now, stop);
  } catch (e) {
    await session.close();
    throw e;
  }
}

async function serve(
  session: Session,
  options: ReviewServerOptions,
  log: (line: string) => void,
  now: () => number,
  stop: AbortController,
): Promise<ReviewServer> {
  const { project, store } = session;
  const projectReal = await realpath(project.dir);
  const outDir = dirname(defaultOutputPath(project.dir, project.name));
  const webDir = options.webDir ?? defaultWebDir();
  const token = randomBytes(24).toString("base64url");
  const tokenBuf = Buffer.from(token);

  const analysis: StageOutcome<Analysis> = await analyzeStage(session);
  const plan: StageOutcome<Plan> = await planStage(session, analysis);
  const peaks = waveformPeaks(
    await decodeMono(session.tools, project.songPath, { sampleRate: 8000 }),
    PEAK_POINTS,
  );
  const songFile = await servableSong(session, projectReal);
  const estimate = await estimatePerSegment(session, plan.value);

  let marks: ReviewMarks = await readMarks(project.dir);
  const jobs: JobView[] = [];
  let jobSeq = 0;
  let queue: Promise<void> = Promise.resolve();
  const clients = new Set<ServerResponse>();

  function broadcast(event: string, data: unknown): void {
    const frame = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const c of clients) c.write(frame);
  }

  function updateJob(job: JobView, change: Partial<JobView>): void {
    Object.assign(job, change);
    broadcast("job", job);
  }

  /** Jobs run one at a time, in the order asked: two renders or rerolls never fight over the store. */
  function enqueue(
    kind: JobKind,
    label: string,
    segment: number | null,
    run: (job: JobView) => Promise<void>,
  ) {
    const job: JobView = {
      id: `j${++jobSeq}`,
      kind,
      label,
      segment,
      status: "queued",
      progress: null,
      message: null,
      output: null,
    };
    jobs.push(job);
    if (jobs.length > 50) jobs.splice(0, jobs.length - 50);
    broadcast("job", job);
    queue = queue.then(async () => {
      updateJob(job, { status: "running", progress: 0 });
      try {
        await run(job);
        updateJob(job, { status: "done", progress: 1 });
      } catch (e) {
        log(`review: ${label} failed: ${messageOf(e)}`);
        updateJob(job, { status: "failed", message: messageOf(e) });
      }
      broadcast("changed", { what: kind });
    });
    return job;
  }

  // ---- views ----

  function segmentLocked(takes: readonly Take[]): boolean {
    return takes.some((t) => marks.locked.includes(t.segmentKey));
  }

  function takeView(t: Take) {
    return {
      id: t.id,
      status: t.status,
      seed: t.seed,
      provider: t.provider,
      model: t.model,
      estimatedUsd: t.estimatedUsd,
      actualUsd: t.actualUsd,
      picked: t.picked,
      rejected: marks.rejected.includes(t.id),
      stale: t.stale,
      failureReason: t.failureReason,
      /** Sync offset measured against the master, when a sync stage stored one (none does yet). */
      offsetMs: null as number | null,
      media: t.outputHash && t.status === "succeeded" ? `/media/take/${t.outputHash}` : null,
      createdAt: t.createdAt,
    };
  }

  async function segmentsView() {
    const all = await store.listTakes();
    return plan.value.segments.map((s) => {
      const takes = all.filter((t) => t.segment === s.index);
      return {
        index: s.index,
        start: secondsOf(s.start),
        end: secondsOf(s.end),
        startSample: s.start,
        endSample: s.end,
        frames: s.frames,
        /** Seconds of the take before the segment starts (its transition handle): where playback begins. */
        handleBeforeS: secondsOf(framesToSamples(s.handleBefore, plan.value.fps)),
        kind: s.kind,
        section: s.section ?? null,
        locked: segmentLocked(takes),
        pickedTakeId: takes.find((t) => t.picked)?.id ?? null,
        estimatedUsd: estimate[s.index] ?? 0,
        takes: takes.map(takeView),
      };
    });
  }

  async function costView() {
    const c = await costReport(store);
    return {
      spentUsd: c.spentUsd,
      reservedUsd: c.reservedUsd,
      estimatedUsd: estimate.reduce((a, b) => a + b, 0),
      budgetUsd: project.config.budget ?? null,
      usdPerAcceptedSecond: c.usdPerAcceptedSecond,
      takes: c.takes,
    };
  }

  async function rendersView() {
    let names: string[] = [];
    try {
      names = await readdir(outDir);
    } catch {
      return [];
    }
    const out = [];
    for (const name of names.filter((n) => /\.(mp4|mov|webm|mkv)$/i.test(n) && !n.startsWith("."))) {
      const real = await confinedFile(outDir, name);
      if (!real) continue;
      const s = await stat(real);
      out.push({ name, url: `/media/out/${encodeURIComponent(name)}`, bytes: s.size, modifiedAt: s.mtimeMs });
    }
    return out.sort((a, b) => b.modifiedAt - a.modifiedAt);
  }

  function analysisView() {
    const a = analysis.value;
    return {
      durationS: secondsOf(a.durationSamples),
      tempoBpm: a.tempoBpm,
      peaks,
      beats: a.beats.map(secondsOf),
      downbeats: a.downbeats.map(secondsOf),
      sections: (a.lyrics?.sections ?? []).map((s) => ({
        name: s.name,
        kind: s.kind,
        start: secondsOf(s.start),
        end: secondsOf(s.end),
      })),
      lines: (a.lyrics?.lines ?? []).map((l) => ({
        text: l.text,
        start: secondsOf(l.start),
        end: secondsOf(l.end),
      })),
      vocal: a.vocal.map((v) => ({ start: secondsOf(v.start), end: secondsOf(v.end) })),
      warnings: a.warnings,
    };
  }

  function projectView() {
    return {
      name: project.name,
      dir: project.dir,
      provider: session.clip.provider,
      fps: rateToNumber(plan.value.fps),
      segments: plan.value.segments.length,
      durationS: secondsOf(analysis.value.durationSamples),
      song: "/media/song",
      budgetUsd: project.config.budget ?? null,
    };
  }

  // ---- actions ----

  async function segmentTakes(segment: number): Promise<Take[]> {
    if (!plan.value.segments.some((s) => s.index === segment))
      throw new HttpError(404, `the plan has no segment ${segment}`);
    return store.listTakes({ segment });
  }

  async function pick(body: z.infer<typeof PickBody>) {
    const takes = await segmentTakes(body.segment);
    if (segmentLocked(takes))
      throw new HttpError(409, `segment ${body.segment} is locked — unlock it to pick another take`);
    if (!takes.some((t) => t.id === body.takeId))
      throw new HttpError(404, `take ${body.takeId} no longer exists — the list was refreshed`);
    if (marks.rejected.includes(body.takeId))
      throw new HttpError(409, `take ${body.takeId} is rejected — restore it before picking it`);
    await pickTake(store, body.segment, body.takeId, now());
    return { ok: true };
  }

  async function reject(body: z.infer<typeof RejectBody>) {
    const take = await store.getTake(body.takeId);
    if (!take) throw new HttpError(404, `take ${body.takeId} no longer exists — the list was refreshed`);
    if (body.rejected && take.picked)
      throw new HttpError(409, `take ${take.id} is segment ${take.segment}'s pick — pick another take first`);
    marks = toggled(marks, "rejected", take.id, body.rejected);
    await writeMarks(project.dir, marks);
    return { ok: true };
  }

  async function lock(body: z.infer<typeof LockBody>) {
    const takes = await segmentTakes(body.segment);
    const picked = takes.find((t) => t.picked);
    if (body.locked && !picked) throw new HttpError(409, `segment ${body.segment} has no pick to lock`);
    for (const key of new Set(takes.map((t) => t.segmentKey))) marks = toggled(marks, "locked", key, false);
    if (body.locked && picked) marks = toggled(marks, "locked", picked.segmentKey, true);
    await writeMarks(project.dir, marks);
    return { ok: true };
  }

  async function reroll(body: z.infer<typeof RerollBody>) {
    const takes = await segmentTakes(body.segment);
    if (segmentLocked(takes))
      throw new HttpError(409, `segment ${body.segment} is locked — unlock it to make more takes`);
    const seeds =
      body.seed === undefined ? undefined : Array.from({ length: body.count }, (_, i) => body.seed! + i);
    // Checked now, so a bad seed is answered at once rather than as a failed job.
    const specs = await rerollSegment(store, body.segment, { count: body.count, seeds });
    const label = `re-roll segment ${body.segment} ×${specs.length}`;
    const job = enqueue("reroll", label, body.segment, async (j) => {
      const providers = await openProviders(session);
      let done = 0;
      try {
        const report = await generate({
          store,
          providers,
          jobs: specs,
          budgetUsd: project.config.budget,
          signal: session.signal,
          now,
          onEvent: (e) => {
            if (e.type === "succeeded" || e.type === "failed") done++;
            if (e.type === "progress" && e.progress !== undefined)
              updateJob(j, { progress: (done + e.progress) / specs.length });
            else if (e.type === "succeeded" || e.type === "failed")
              updateJob(j, { progress: done / specs.length });
            if (e.type === "succeeded" || e.type === "failed") broadcast("changed", { what: "takes" });
          },
        });
        const made = report.succeeded.filter((s) => !s.earlier).length;
        if (report.failed.length && !made) throw new Error(report.failed.map((f) => f.reason).join("; "));
        if (report.budget?.refused.length)
          throw new Error(
            `not submitted: it would cross the budget ($${report.budget.committedUsd.toFixed(2)} of $${report.budget.budgetUsd.toFixed(2)} committed)`,
          );
        j.message = `${made} new take(s)${report.failed.length ? `, ${report.failed.length} failed` : ""}`;
      } finally {
        await Promise.all(providers.map((p) => p.close?.()));
      }
    });
    return { ok: true, job };
  }

  async function render(body: z.infer<typeof RenderBody>) {
    const draft = body.mode === "draft";
    const job = enqueue("render", draft ? "render draft" : "render final", null, async (j) => {
      let last = 0;
      const r = await renderStage(session, plan.value, plan.keyHash, analysis.value, {
        draft,
        onProgress: (f) => {
          // Progress arrives many times a second; a percent step is enough for the page.
          if (f - last >= 0.01 || f >= 1) {
            last = f;
            updateJob(j, { progress: f });
          }
        },
      });
      const name = basename(r.path);
      j.output = isInside(outDir, r.path) ? `/media/out/${encodeURIComponent(name)}` : null;
      j.message = `${r.cached ? "up to date" : "wrote"} out/${name}${
        r.missingSegments.length ? ` — segments ${r.missingSegments.join(", ")} have no take (black)` : ""
      }`;
    });
    return { ok: true, job };
  }

  // ---- HTTP ----

  function tokenOk(given: string | null | undefined): boolean {
    if (!given) return false;
    const b = Buffer.from(given);
    return b.length === tokenBuf.length && timingSafeEqual(b, tokenBuf);
  }

  function json(res: ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      "content-type": "application/json; charset=utf-8",
      "cache-control": "no-store",
      "content-length": Buffer.byteLength(text),
    });
    res.end(text);
  }

  async function readJson(req: IncomingMessage): Promise<unknown> {
    if (!/^application\/json\b/i.test(req.headers["content-type"] ?? ""))
      throw new HttpError(415, "send JSON (content-type: application/json)");
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > BODY_LIMIT) throw new HttpError(413, "request body too large");
      chunks.push(chunk as Buffer);
    }
    try {
      return chunks.length ? JSON.parse(Buffer.concat(chunks).toString("utf8")) : {};
    } catch {
      throw new HttpError(400, "the request body is not valid JSON");
    }
  }

  async function serveStatic(req: IncomingMessage, res: ServerResponse, segments: string[]) {
    const name = segments.length === 0 ? "index.html" : segments.join("/");
    const file = await confinedFile(webDir, name);
    if (!file) {
      if (segments.length === 0) {
        res.writeHead(503, { "content-type": "text/plain; charset=utf-8" });
        res.end(`The review page is not built (${webDir} has no index.html): run \`npm run build:web\`.\n`);
        return;
      }
      throw new HttpError(404, "not found");
    }
    await sendFile(req, res, file, {
      "cache-control": "no-cache",
      "x-content-type-options": "nosniff",
    });
  }

  async function serveMedia(req: IncomingMessage, res: ServerResponse, segments: string[]) {
    let file: string | null = null;
    if (segments[0] === "song" && segments.length === 1) file = songFile;
    else if (segments[0] === "take" && segments.length === 2) {
      const hash = segments[1]!;
      if (!HASH.test(hash) || !store.media.has(hash)) throw new HttpError(404, "no such take video");
      const path = store.media.path(hash);
      file = await confinedFile(dirname(path), basename(path));
      if (file && !isInside(projectReal, file)) file = null;
    } else if (segments[0] === "out" && segments.length === 2) {
      const name = segments[1]!;
      if (name.startsWith(".")) throw new HttpError(404, "not found");
      file = await confinedFile(outDir, name);
      if (file && !isInside(projectReal, file)) file = null;
    }
    if (!file) throw new HttpError(404, "not found");
    await sendFile(req, res, file, { "cache-control": "no-store", "x-content-type-options": "nosniff" });
  }

  function openEvents(req: IncomingMessage, res: ServerResponse) {
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      connection: "keep-alive",
    });
    res.write(`retry: 2000\nevent: hello\ndata: ${JSON.stringify({ jobs })}\n\n`);
    clients.add(res);
    req.on("close", () => clients.delete(res));
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const port = (server.address() as AddressInfo).port;
    const host = req.headers.host ?? "";
    // A page on another site that resolves its name to 127.0.0.1 (DNS rebinding) gets nothing.
    if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`)
      throw new HttpError(403, "unexpected Host header");
    const raw = req.url ?? "/";
    const q = raw.indexOf("?");
    const segments = pathSegments(q < 0 ? raw : raw.slice(0, q));
    if (!segments) throw new HttpError(400, "bad path");
    const query = new URLSearchParams(q < 0 ? "" : raw.slice(q + 1));
    const method = req.method ?? "GET";
    const area = segments[0];

    if (area !== "api" && area !== "media") {
      if (method !== "GET" && method !== "HEAD") throw new HttpError(405, "method not allowed");
      return serveStatic(req, res, segments);
    }
    // State changes only by POST with the token in a header; reads take it in the query too
    // (a <video> or EventSource cannot send headers).
    const headerToken = req.headers["x-refrain-token"];
    const given =
      method === "POST"
        ? typeof headerToken === "string"
          ? headerToken
          : null
        : (query.get("token") ?? (typeof headerToken === "string" ? headerToken : null));
    if (!tokenOk(given))
      throw new HttpError(
        401,
        "this page's access token is not valid (the server was restarted?) — open the address `refrain review` printed",
      );

    if (area === "media") {
      if (method !== "GET" && method !== "HEAD") throw new HttpError(405, "method not allowed");
      return serveMedia(req, res, segments.slice(1));
    }
    const route = `${method} ${segments.slice(1).join("/")}`;
    switch (route) {
      case "GET project":
        return json(res, 200, projectView());
      case "GET analysis":
        return json(res, 200, analysisView());
      case "GET segments":
        return json(res, 200, await segmentsView());
      case "GET cost":
        return json(res, 200, await costView());
      case "GET jobs":
        return json(res, 200, jobs);
      case "GET renders":
        return json(res, 200, await rendersView());
      case "GET events":
        return openEvents(req, res);
      case "POST pick":
        return done(res, await pick(PickBody.parse(await readJson(req))));
      case "POST reject":
        return done(res, await reject(RejectBody.parse(await readJson(req))));
      case "POST lock":
        return done(res, await lock(LockBody.parse(await readJson(req))));
      case "POST reroll":
        return json(res, 202, await reroll(RerollBody.parse(await readJson(req))));
      case "POST render":
        return json(res, 202, await render(RenderBody.parse(await readJson(req))));
      default:
        throw new HttpError(
          segments.length > 1 && ["GET", "POST"].includes(method) ? 404 : 405,
          `no such API call: ${method} /${segments.join("/")}`,
        );
    }
  }

  function done(res: ServerResponse, body: unknown): void {
    json(res, 200, body);
    broadcast("changed", { what: "takes" });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      const status =
        e instanceof HttpError ? e.status : e instanceof z.ZodError ? 400 : isRefrainError(e) ? 409 : 500;
      if (status === 500) log(`review: ${req.method} ${req.url?.split("?")[0]}: ${messageOf(e)}`);
      if (res.headersSent) {
        res.destroy();
        return;
      }
      json(res, status, { error: messageOf(e) });
    });
  });
  const keepAlive = setInterval(() => {
    for (const c of clients) c.write(": keep-alive\n\n");
  }, 15_000);
  keepAlive.unref();

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}/?token=${token}`;
  if (options.open) openBrowser(url);

  return {
    url,
    token,
    port,
    async close() {
      clearInterval(keepAlive);
      for (const c of clients) c.end();
      clients.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      // A running job is told to stop and finishes its store writes before the store closes.
      stop.abort();
      await queue.catch(() => {});
      await session.close();
    },
  };
}

/** The song as a file inside the project: a song kept elsewhere is copied in once, so nothing outside is served. */
async function servableSong(session: Session, projectReal: string): Promise<string> {
  const real = await realpath(session.project.songPath);
  if (isInside(projectReal, real)) return real;
  const dir = join(session.workDir, "review");
  await mkdir(dir, { recursive: true });
  const copy = join(dir, `song${extname(real).toLowerCase()}`);
  await copyFile(real, copy);
  return copy;
}

/** What one take of each segment costs on the project's provider pool (its dearest endpoint). */
async function estimatePerSegment(session: Session, plan: Plan): Promise<number[]> {
  const providers = await openProviders(session);
  try {
    const o = session.project.config.output;
    const size = frameSize(o.aspect, o.resolution);
    const out: number[] = [];
    for (const s of plan.segments) {
      const seconds = s.generateFrames / rateToNumber(plan.fps);
      out[s.index] = Math.max(
        0,
        ...providers.map((p) => estimateCost(p.price, seconds, `${size.width}x${size.height}`)),
      );
    }
    return out;
  } finally {
    await Promise.all(providers.map((p) => p.close?.()));
  }
}
