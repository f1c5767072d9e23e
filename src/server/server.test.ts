// The review server's API: loopback only, the token on every call, nothing outside the project served, seekable media.
import { randomBytes } from "node:crypto";
import { mkdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { request } from "node:http";
import { dirname, join } from "node:path";
import { Command } from "commander";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeCli } from "../cli/context.js";
import { registerReviewCommand } from "../cli/review-command.js";
import { openSqliteStore } from "../store/index.js";
import { type ReviewServer, startReviewServer } from "./index.js";
import { makeReviewProject, type ReviewFixture } from "./testing.js";

let fx: ReviewFixture;
let server: ReviewServer;
let base: string;
const SECRET = `TOP-SECRET-${randomBytes(6).toString("hex")}`;
let secretPath: string;

/** A raw request: the path is sent exactly as given (fetch would normalise `..`). */
function raw(
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port: server.port, path, method: init.method ?? "GET", headers: init.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }),
        );
      },
    );
    req.on("error", reject);
    req.end(init.body);
  });
}

const q = () => `token=${server.token}`;
async function getJson<T>(path: string): Promise<T> {
  const r = await raw(`/api/${path}?${q()}`);
  expect(r.status).toBe(200);
  return JSON.parse(r.body.toString()) as T;
}
function postJson(path: string, body: unknown, token: string | null = server.token) {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (token !== null) headers["x-refrain-token"] = token;
  return raw(`/api/${path}`, { method: "POST", headers, body: JSON.stringify(body) });
}

interface Seg {
  index: number;
  locked: boolean;
  pickedTakeId: string | null;
  takes: { id: string; picked: boolean; rejected: boolean; media: string | null; seed: number }[];
}

beforeAll(async () => {
  fx = await makeReviewProject(8);
  // A file beside the project that must never come out of the server.
  secretPath = join(dirname(fx.dir), `secret-${randomBytes(4).toString("hex")}.txt`);
  await writeFile(secretPath, SECRET);
  server = await startReviewServer({ projectDir: fx.dir, tools: fx.tools, env: {} });
  base = `http://127.0.0.1:${server.port}`;
});

afterAll(async () => {
  await server?.close();
  if (fx) await rm(fx.dir, { recursive: true, force: true });
  if (secretPath) await rm(secretPath, { force: true });
});

describe("review server", () => {
  it("listens on 127.0.0.1 and prints a URL that carries a long random token", () => {
    expect(server.url).toBe(`${base}/?token=${server.token}`);
    expect(server.token.length).toBeGreaterThanOrEqual(32);
  });

  it("refuses every API and media call without the right token, and still answers afterwards", async () => {
    for (const path of [
      "/api/project",
      "/api/segments",
      "/media/song",
      `/api/project?token=${"x".repeat(32)}`,
    ]) {
      const r = await raw(path);
      expect(r.status, path).toBe(401);
      expect(JSON.parse(r.body.toString()).error).toMatch(/token/);
    }
    expect((await raw(`/api/project?${q()}`)).status).toBe(200);
  });

  it("changes state only by POST with the token in a header, never with it in the query", async () => {
    const segs = await getJson<Seg[]>("segments");
    const take = segs[0]!.takes[0]!;
    const viaQuery = await raw(`/api/pick?${q()}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ segment: 0, takeId: take.id }),
    });
    expect(viaQuery.status).toBe(401);
    expect((await postJson("pick", { segment: 0, takeId: take.id }, "stale-token")).status).toBe(401);
    expect((await raw(`/api/pick?${q()}`)).status).toBe(404); // GET cannot pick
    // A form post from another page cannot send JSON with a custom header; a text body is refused.
    const form = await raw("/api/pick", {
      method: "POST",
      headers: { "content-type": "text/plain", "x-refrain-token": server.token },
      body: "segment=0",
    });
    expect(form.status).toBe(415);
  });

  it("answers only to its own host name (a rebinding page gets nothing)", async () => {
    const r = await raw(`/api/project?${q()}`, { headers: { host: "evil.example:80" } });
    expect(r.status).toBe(403);
  });

  it("never serves a path outside the project: .., encoded dots, absolute paths, symlinks out", async () => {
    const outDir = join(fx.dir, "out");
    await mkdir(outDir, { recursive: true });
    await symlink(secretPath, join(outDir, "escape.mp4"));
    const store = await openSqliteStore(fx.dir);
    const fakeHash = "f".repeat(64);
    const mediaFile = join(store.media.root, "ff", `${fakeHash}.mp4`);
    await store.close();
    await mkdir(dirname(mediaFile), { recursive: true });
    await symlink(secretPath, mediaFile);
    const name = secretPath.split("/").pop()!;
    const attempts = [
      `/media/out/../../${name}`,
      `/media/out/..%2f..%2f${name}`,
      `/media/out/%2e%2e/%2e%2e/${name}`,
      `/media/out/%2e%2e%2f%2e%2e%2f${name}`,
      `/media/out/..%5c..%5c${name}`,
      `/media/out/${encodeURIComponent(secretPath)}`,
      `/media/out/${secretPath}`,
      "/media/out/escape.mp4",
      `/media/take/${fakeHash}`,
      "/media/take/..%2f..%2frefrain.yaml",
      "/media/out/..%2frefrain.yaml",
      `/%2e%2e/%2e%2e/${name}`,
      `/assets/../../${name}`,
      `/..%2f..%2f${name}`,
      `//${secretPath}`,
    ];
    for (const path of attempts) {
      const r = await raw(`${path}?${q()}`);
      expect([400, 404], path).toContain(r.status);
      expect(r.body.toString(), path).not.toContain(SECRET);
      expect(r.body.toString(), path).not.toContain("clip:");
    }
    // …and the server is still serving after all of them.
    expect((await raw(`/api/project?${q()}`)).status).toBe(200);
  });

  it("serves take videos by hash and the song with byte ranges, so the browser can seek", async () => {
    const segs = await getJson<Seg[]>("segments");
    const media = segs[0]!.takes[0]!.media!;
    expect(media).toMatch(/^\/media\/take\/[0-9a-f]{64}$/);
    const whole = await raw(`${media}?${q()}`);
    expect(whole.status).toBe(200);
    expect(whole.headers["content-type"]).toBe("video/mp4");
    expect(whole.headers["accept-ranges"]).toBe("bytes");
    const part = await raw(`${media}?${q()}`, { headers: { range: "bytes=100-299" } });
    expect(part.status).toBe(206);
    expect(part.headers["content-range"]).toBe(`bytes 100-299/${whole.body.length}`);
    expect(part.body.equals(whole.body.subarray(100, 300))).toBe(true);
    const tail = await raw(`${media}?${q()}`, { headers: { range: "bytes=-50" } });
    expect(tail.body.equals(whole.body.subarray(whole.body.length - 50))).toBe(true);
    const past = await raw(`${media}?${q()}`, { headers: { range: `bytes=${whole.body.length + 10}-` } });
    expect(past.status).toBe(416);
    const song = await raw(`/media/song?${q()}`, { headers: { range: "bytes=0-15" } });
    expect(song.status).toBe(206);
    expect(song.body.equals((await readFile(join(fx.dir, "song.m4a"))).subarray(0, 16))).toBe(true);
  });

  it("gives the page the song: waveform peaks, beats, sections and lyric lines in seconds", async () => {
    const a = await getJson<{
      durationS: number;
      peaks: number[];
      beats: number[];
      sections: { name: string; start: number }[];
      lines: { text: string; start: number }[];
    }>("analysis");
    expect(a.durationS).toBeCloseTo(8, 1);
    expect(a.peaks).toHaveLength(1000);
    expect(Math.max(...a.peaks)).toBeGreaterThan(0.1);
    expect(a.beats.length).toBeGreaterThan(4);
    expect(a.beats.every((b) => b >= 0 && b <= a.durationS)).toBe(true);
    expect(a.sections.map((s) => s.name)).toEqual(["Verse", "Chorus"]);
    expect(a.lines[0]).toMatchObject({ text: "Hold the light a little longer", start: 0.7 });
  });

  it("picks, rejects and locks, refusing what would contradict the user's choice", async () => {
    const [seg] = await getJson<Seg[]>("segments");
    const picked = seg!.takes.find((t) => t.picked)!;
    const rejectPicked = await postJson("reject", { takeId: picked.id, rejected: true });
    expect(rejectPicked.status).toBe(409);
    expect(JSON.parse(rejectPicked.body.toString()).error).toMatch(/pick another take first/);

    const lock = await postJson("lock", { segment: 0, locked: true });
    expect(lock.status).toBe(200);
    expect((await getJson<Seg[]>("segments"))[0]!.locked).toBe(true);
    const reroll = await postJson("reroll", { segment: 0, count: 1 });
    expect(reroll.status).toBe(409);
    expect(JSON.parse(reroll.body.toString()).error).toMatch(/locked/);
    expect((await postJson("lock", { segment: 0, locked: false })).status).toBe(200);
    expect((await getJson<Seg[]>("segments"))[0]!.locked).toBe(false);

    const badSeed = await postJson("reroll", { segment: 0, count: 1, seed: picked.seed });
    expect(badSeed.status).toBe(409);
    expect(JSON.parse(badSeed.body.toString()).error).toMatch(/already has a take with seed/);
    const badBody = await postJson("reroll", { segment: 0, count: 99 });
    expect(badBody.status).toBe(400);
    expect((await postJson("pick", { segment: 42, takeId: picked.id })).status).toBe(404);
  });

  it("answers a pick of a take that disappeared with a clear message, and keeps running", async () => {
    const [, seg1] = await getJson<Seg[]>("segments");
    const take = seg1!.takes[0]!;
    const store = await openSqliteStore(fx.dir);
    await store.deleteTakes([take.id]);
    await store.close();
    const r = await postJson("pick", { segment: 1, takeId: take.id });
    expect(r.status).toBe(404);
    expect(JSON.parse(r.body.toString()).error).toBe(
      `take ${take.id} no longer exists — the list was refreshed`,
    );
    const after = await getJson<Seg[]>("segments");
    expect(after[1]!.takes.map((t) => t.id)).not.toContain(take.id);
  });

  it("streams job progress as server-sent events", async () => {
    const ctrl = new AbortController();
    const res = await fetch(`${base}/api/events?${q()}`, { signal: ctrl.signal });
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const reader = res.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toContain("event: hello");
    ctrl.abort();
  });
});

describe("refrain review", () => {
  it("prints the page's address with its token and serves until interrupted", async () => {
    const stop = new AbortController();
    let printed: (url: string) => void = () => {};
    const urlPrinted = new Promise<string>((r) => {
      printed = r;
    });
    const cli = makeCli(false, {
      stdout: (t) => {
        const m = /review page: (\S+)/.exec(t);
        if (m) printed(m[1]!);
      },
      stderr: () => {},
      signal: stop.signal,
      env: process.env,
    });
    const program = new Command().exitOverride().option("-C, --project <dir>");
    registerReviewCommand(program, cli);
    const running = program.parseAsync(["-C", fx.dir, "review", "--port", "0", "--no-open"], {
      from: "user",
    });
    const url = await urlPrinted;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{32,}$/);
    const res = await fetch(url.replace("/?token=", "/api/project?token="));
    expect(res.status).toBe(200);
    stop.abort();
    await running;
    await expect(fetch(url)).rejects.toThrow();
  });

  it("refuses a port that is not a port", async () => {
    const cli = makeCli(false, { stdout: () => {}, stderr: () => {}, env: process.env });
    const program = new Command().exitOverride().option("-C, --project <dir>");
    registerReviewCommand(program, cli);
    await expect(
      program.parseAsync(["-C", fx.dir, "review", "--port", "http"], { from: "user" }),
    ).rejects.toThrow(/--port http: expected a whole number/);
  });
});
