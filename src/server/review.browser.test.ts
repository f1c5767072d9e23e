// The review page in a real browser (Debian's Chromium): look, pick, re-roll, render, and the messages for bad input.
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { openSqliteStore } from "../store/index.js";
import { type ReviewServer, startReviewServer } from "./index.js";
import { makeReviewProject, type ReviewFixture } from "./testing.js";

const CHROMIUM = "/usr/bin/chromium";
const REPO = fileURLToPath(new URL("../../", import.meta.url));
// The committed screenshots are refreshed only when asked (UPDATE_SCREENSHOTS=1 npx vitest run
// src/server/review.browser.test.ts): an ordinary test run must not change tracked files.
const SHOTS = process.env.UPDATE_SCREENSHOTS
  ? join(REPO, "docs", "screenshots")
  : join(tmpdir(), `refrain-screenshots-${process.pid}`);

let fx: ReviewFixture;
let server: ReviewServer;
let browser: Browser;
let page: Page;
let webDir: string;

interface Seg {
  index: number;
  start: number;
  end: number;
  pickedTakeId: string | null;
  takes: { id: string; picked: boolean; seed: number; media: string | null }[];
}

async function api<T>(path: string): Promise<T> {
  const res = await fetch(`http://127.0.0.1:${server.port}/api/${path}?token=${server.token}`);
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

/** Saves a screenshot of what the user sees on a 1366×768 laptop, small enough to commit. */
async function shot(name: string): Promise<void> {
  const path = join(SHOTS, `${name}.png`);
  await page.screenshot({ path });
  expect((await stat(path)).size).toBeLessThan(200_000);
}

const message = () => page.locator("#message .message-text");

/** Retries an assertion about the page until it holds (the page updates asynchronously). */
function eventually(check: () => Promise<void>, timeout = 10_000): Promise<void> {
  return vi.waitFor(check, { timeout, interval: 100 });
}
const text = async (l: ReturnType<Page["locator"]>) => (await l.textContent()) ?? "";
const classes = async (l: ReturnType<Page["locator"]>) => (await l.getAttribute("class")) ?? "";

beforeAll(async () => {
  fx = await makeReviewProject(8);
  // The page as `npm run build:web` makes it, built fresh into a temporary folder.
  webDir = await mkdtemp(join(tmpdir(), "refrain-web-"));
  const { build } = await import("vite");
  await build({
    configFile: join(REPO, "web", "vite.config.ts"),
    build: { outDir: webDir },
    logLevel: "error",
  });
  server = await startReviewServer({ projectDir: fx.dir, tools: fx.tools, env: {}, webDir });
  await mkdir(SHOTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--headless",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--mute-audio",
      "--autoplay-policy=no-user-gesture-required",
    ],
  });
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  page = await context.newPage();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (fx) await rm(fx.dir, { recursive: true, force: true });
  if (webDir) await rm(webDir, { recursive: true, force: true });
  if (!process.env.UPDATE_SCREENSHOTS) await rm(SHOTS, { recursive: true, force: true });
});

describe.skipIf(!existsSync(CHROMIUM))("review page in Chromium", () => {
  it("shows the song, its segments and every take, then picks, re-rolls and renders", async () => {
    await page.goto(server.url);
    await page.locator("body[data-ready=true]").waitFor();
    const analysis = await api<{ beats: number[]; lines: { text: string }[] }>("analysis");
    const before = await api<Seg[]>("segments");

    // The song: waveform, one mark per beat, sections and lyric lines, the segments along it.
    expect(await text(page.locator("h1"))).toContain("review");
    expect(await page.locator(".timeline-svg .beat").count()).toBe(analysis.beats.length);
    expect(await page.locator(".section-label").allTextContents()).toEqual(["Verse", "Chorus"]);
    expect(await page.locator(".lyric-text").allTextContents()).toEqual(analysis.lines.map((l) => l.text));
    expect(await page.locator(".segment-block").count()).toBe(before.length);
    expect(await page.locator("article.segment").count()).toBe(before.length);
    expect(await page.locator("article.segment video").count()).toBe(before.flatMap((s) => s.takes).length);
    expect(await text(page.locator('[data-cost="budget"]'))).toBe("$5.00");
    await shot("review-overview");

    // The segments along the song are reachable by keyboard and lead to their takes.
    await page.getByRole("button", { name: /^Go to segment 1 / }).focus();
    await page.keyboard.press("Enter");
    expect(await page.evaluate<string | null>("document.activeElement?.closest('article')?.id ?? null")).toBe(
      "segment-1",
    );

    // Re-roll segment 1 with a chosen seed: the job shows in the jobs panel, the new take appears.
    const seg1 = page.locator("article#segment-1");
    await seg1.getByRole("spinbutton", { name: "Seed", exact: true }).fill("777");
    await seg1.getByRole("button", { name: "Re-roll" }).click();
    await page.locator(".job.done", { hasText: "re-roll segment 1" }).waitFor({ timeout: 30_000 });
    await eventually(async () =>
      expect(await seg1.locator("li.take").count()).toBe(before[1]!.takes.length + 1),
    );
    const newTake = seg1.locator("li.take", { hasText: "seed 777" });
    expect(await newTake.locator("video").count()).toBe(1);

    // Pick it: the page and the project agree.
    await newTake.getByRole("button", { name: /^Pick take 2 \(seed 777\)/ }).click();
    await eventually(async () => expect(await classes(newTake)).toMatch(/\bpicked\b/));
    expect(await newTake.getByRole("button", { name: /Pick take 2/ }).getAttribute("aria-pressed")).toBe(
      "true",
    );
    const afterPick = await api<Seg[]>("segments");
    const picked = afterPick[1]!.takes.find((t) => t.picked)!;
    expect(picked.seed).toBe(777);
    expect(await classes(seg1.locator("li.take").first())).not.toMatch(/\bpicked\b/);

    // Keyboard: reject the old take with Enter; focus stays on the control after the list redraws.
    const oldReject = seg1
      .locator("li.take")
      .first()
      .getByRole("button", { name: /^Reject take 1/ });
    await oldReject.focus();
    await page.keyboard.press("Enter");
    await eventually(async () =>
      expect(await classes(seg1.locator("li.take").first())).toMatch(/\brejected\b/),
    );
    expect(
      await page.evaluate<string | null>('document.activeElement?.getAttribute("aria-label") ?? null'),
    ).toMatch(/^Restore take 1/);

    // Play the picked take with the song from the segment's start.
    await newTake.getByRole("button", { name: /Play take 2/ }).click();
    await page.waitForFunction('document.getElementById("master").currentTime > 0');
    const playing = await page.evaluate<{ audio: number; videoPlaying: boolean }>(`({
      audio: document.getElementById("master").currentTime,
      videoPlaying: !(document.querySelector("li.take.playing video")?.paused ?? true),
    })`);
    expect(playing.videoPlaying).toBe(true);
    expect(playing.audio).toBeGreaterThanOrEqual(afterPick[1]!.start);
    expect(playing.audio).toBeLessThan(afterPick[1]!.end);
    await shot("review-takes");
    await page.evaluate('document.getElementById("master").pause()');

    // Render a draft and play it in the page.
    await page.getByRole("button", { name: "Render draft" }).click();
    await page.locator(".job.done", { hasText: "render draft" }).waitFor({ timeout: 45_000 });
    const player = page.locator("#render-player");
    expect(await player.isVisible()).toBe(true);
    expect(await player.getAttribute("src")).toMatch(/\/media\/out\/review\.draft\.mp4\?token=/);
    await page.waitForFunction('document.getElementById("render-player").readyState >= 1');
    const duration = await page.evaluate<number>('document.getElementById("render-player").duration');
    expect(duration).toBeGreaterThan(7.5);
    expect(duration).toBeLessThan(8.5);
    await eventually(async () => expect(await text(page.locator("#renders"))).toContain("review.draft.mp4"));
    await shot("review-render");
  });

  it("says so on the page when a take disappeared, and the list catches up", async () => {
    const segs = await api<Seg[]>("segments");
    const gone = segs[1]!.takes.find((t) => !t.picked)!;
    // Restore it first (it was rejected above), then remove it behind the page's back.
    await page
      .locator(`li[data-take="${gone.id}"]`)
      .getByRole("button", { name: /^Restore/ })
      .click();
    await eventually(async () =>
      expect(await classes(page.locator(`li[data-take="${gone.id}"]`))).not.toMatch(/rejected/),
    );
    const store = await openSqliteStore(fx.dir);
    await store.deleteTakes([gone.id]);
    await store.close();
    await page.locator(`li[data-take="${gone.id}"]`).getByRole("button", { name: /^Pick/ }).click();
    await eventually(async () =>
      expect(await text(message())).toBe(`take ${gone.id} no longer exists — the list was refreshed`),
    );
    await eventually(async () => expect(await page.locator(`li[data-take="${gone.id}"]`).count()).toBe(0));
  });

  it("shows why a render failed, and the server keeps running", async () => {
    const segs = await api<Seg[]>("segments");
    const take = segs[0]!.takes.find((t) => t.picked)!;
    const store = await openSqliteStore(fx.dir);
    await store.media.remove(take.media!.split("/").pop()!);
    await store.close();
    await page.getByRole("button", { name: "Render final" }).click();
    await page.locator(".job.failed", { hasText: "render final" }).waitFor({ timeout: 30_000 });
    await eventually(async () => expect(await text(message())).toContain("render final failed:"));
    await shot("review-render-failed");
    expect((await api<{ name: string }>("project")).name).toBe("review");
  });

  it("tells the user when the page's token is stale", async () => {
    await page.goto(server.url.replace(/token=.*/, "token=stale-from-an-earlier-run"));
    await eventually(async () => expect(await text(message())).toContain("access token is not valid"));
    await shot("review-stale-token");
    expect((await api<{ name: string }>("project")).name).toBe("review");
  });
});
