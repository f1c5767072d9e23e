// Issue 7 part 8: provider keys never leak — not into any file under the project (the SQLite db read as bytes), nor anything printed, with or without --verbose, even when the provider fails.

import { readFile, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { parse, stringify } from "yaml";
import { startAlibabaFake } from "../../fakes/alibaba/server.js";
import { startFalFake } from "../../fakes/fal/server.js";
import { startOmniHumanFake } from "../../fakes/omnihuman/server.js";
import { startReplicateFake } from "../../fakes/replicate/server.js";
import { startFakeRunpod } from "../../fakes/runpod/server.js";
import { startWaveSpeedFake } from "../../fakes/wavespeed/server.js";
import {
  type CliRun,
  filesContaining,
  type Inputs,
  json,
  makeInputs,
  makeProject,
  refrain,
  removeAll,
  tools,
} from "./helpers.js";

/** Distinctive values no code path would print by chance. */
const KEYS: Record<string, string> = {
  FAL_KEY: "fal-LEAKCHECK-a1b2c3d4e5f6a7b8",
  REPLICATE_API_TOKEN: "r8_LEAKCHECK-b2c3d4e5f6a7b8c9",
  WAVESPEED_API_KEY: "ws-LEAKCHECK-c3d4e5f6a7b8c9d0",
  DASHSCOPE_API_KEY: "sk-LEAKCHECK-d4e5f6a7b8c9d0e1",
  VOLC_ACCESSKEY: "AKLTLEAKCHECKe5f6a7b8c9d0e1f2",
  VOLC_SECRETKEY: "volc-LEAKCHECK-f6a7b8c9d0e1f2a3",
  RUNPOD_API_KEY: "rp_LEAKCHECK-a7b8c9d0e1f2a3b4",
};

/** A server that fails every request with 500 and echoes back what it was sent, Authorization header included. */
async function startEcho500(): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    res.writeHead(500, { "content-type": "application/json", "x-fal-retryable": "false" });
    res.end(
      JSON.stringify({
        detail: `internal error for ${req.method} ${req.url} auth=${req.headers.authorization ?? ""} key=${req.headers["x-api-key"] ?? ""}`,
      }),
    );
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) };
}

let inputs: Inputs;
const closers: (() => Promise<void>)[] = [];
const projects: string[] = [];
/** Clip settings for every provider: one fake that accepts the key, and fakes that fail (401, 422, 500). */
const clips: Record<string, Record<string, unknown>> = {};

beforeAll(async () => {
  inputs = await makeInputs();
  const fal = await startFalFake({ key: KEYS.FAL_KEY, runMs: 200, tools });
  const fal422 = await startFalFake({ key: KEYS.FAL_KEY, behaviours: ["fal-422"], tools });
  const echo = await startEcho500();
  const replicate = await startReplicateFake({ token: "r8_someone_else", tools });
  const wavespeed = await startWaveSpeedFake({ key: "ws-someone-else", tools });
  const alibaba = await startAlibabaFake({ key: "sk-someone-else", tools });
  const omnihuman = await startOmniHumanFake({ accessKey: "AKLTother", secretKey: "other-secret", tools });
  const runpod = await startFakeRunpod({ apiKey: "rp_someone_else", tools });
  closers.push(fal.close, fal422.close, echo.close, replicate.close, wavespeed.close, alibaba.close);
  closers.push(omnihuman.close, runpod.close);
  const falAt = (url: string) => ({ provider: "fal", model: "infinitalk", base_url: url, storage_url: url });
  Object.assign(clips, {
    "fal (accepted)": falAt(fal.url),
    "fal 422": falAt(fal422.url),
    "fal 500 echoing the request": falAt(echo.url),
    "wavespeed 500 echoing the request": { provider: "wavespeed", model: "infinitetalk", base_url: echo.url },
    "replicate 401": { provider: "replicate", base_url: replicate.url },
    "wavespeed 401": { provider: "wavespeed", model: "infinitetalk", base_url: wavespeed.url },
    "alibaba 401": { provider: "alibaba", model: "wan2.2-s2v", base_url: alibaba.url, files: "data-uri" },
    "omnihuman 401": { provider: "omnihuman", base_url: omnihuman.url, files: "data-uri" },
    "runpod 401": { provider: "runpod", endpoint: "ep-comfy", base_url: `${runpod.url}/v2` },
  });
});
afterAll(async () => {
  for (const close of closers) await close();
  await removeAll(inputs.dir, ...projects);
});

async function setClip(dir: string, clip: Record<string, unknown>): Promise<void> {
  const file = join(dir, "refrain.yaml");
  const config = parse(await readFile(file, "utf8")) as Record<string, unknown>;
  await writeFile(file, stringify({ ...config, clip: { seed: 1, ...clip } }));
}

/** Runs the whole tour of commands on each provider set-up; returns everything printed. */
async function tour(dir: string, env: Record<string, string>, failing: string[]): Promise<CliRun[]> {
  const runs: CliRun[] = [];
  const r = async (...args: string[]) => {
    const run = await refrain(dir, env, ...args);
    runs.push(run);
    return run;
  };
  // The happy path, quiet then verbose.
  expect(json<{ estimated_usd: number }>(await r("estimate", "--json")).estimated_usd).toBeGreaterThan(0);
  expect((await r("make")).code).toBe(0);
  expect((await r("--verbose", "make")).code).toBe(0);
  await r("takes", "--json");
  await r("--verbose", "takes");
  await r("cost", "--json");
  expect((await r("export", "otio")).code).toBe(0);
  expect((await r("--verbose", "export", "srt")).code).toBe(0);
  // Each failing provider: estimate, a run that fails on submit, takes and cost; every other one verbose.
  for (const [i, name] of failing.entries()) {
    await setClip(dir, clips[name]!);
    const v = i % 2 === 1 ? ["--verbose"] : [];
    await r(...v, "estimate");
    // `make` once (it renders); `generate` for the rest submits the same way without the render's time.
    const made = await r(...v, i === 0 ? "make" : "generate");
    expect(made.code !== 0 || /failed/.test(made.err), `${name}: should fail\n${made.err}`).toBe(true);
    await r(...v, "takes");
    await r(...v, "cost");
  }
  return runs;
}

async function expectNoKeyAnywhere(dir: string, runs: CliRun[], skip: string[] = []): Promise<void> {
  const printed = runs.map((r) => `${r.out}\n${r.err}`).join("\n");
  for (const [name, key] of Object.entries(KEYS)) {
    const hits = (await filesContaining(dir, key)).filter((f) => !skip.includes(f));
    expect(hits, `${name} found in project files`).toEqual([]);
    expect(printed.includes(key), `${name} printed`).toBe(false);
    expect(printed.includes(encodeURIComponent(key)), `${name} printed URL-encoded`).toBe(false);
  }
}

describe.sequential("keys never leak", () => {
  test("keys in the environment: estimate, make, takes, cost, export over accepting and failing fakes", async () => {
    const dir = await makeProject(inputs, clips["fal (accepted)"]!);
    projects.push(dir);
    const failing = Object.keys(clips).filter((n) => n !== "fal (accepted)");
    const runs = await tour(dir, KEYS, failing);
    // The failures still tell the user which variable to check.
    const errors = runs.map((r) => r.err).join("\n");
    expect(errors).toMatch(/REPLICATE_API_TOKEN/);
    // The echoing server's answer reached the user (so a leak would have shown), with the key blanked.
    expect(errors).toMatch(/HTTP 500/);

    const doctor = await refrain(dir, KEYS, "doctor", "--json");
    runs.push(doctor);
    const report = JSON.parse(doctor.out) as { keys: { name: string; set: boolean }[] };
    for (const name of Object.keys(KEYS)) {
      expect(report.keys.find((k) => k.name === name)?.set, `doctor: ${name}`).toBe(true);
    }
    expect(report.keys.find((k) => k.name === "OPENAI_API_KEY")?.set).toBe(false);
    await expectNoKeyAnywhere(dir, runs);
  });

  test("keys in the project's .env instead: the same, and the .env is the only file holding them", async () => {
    const envFile = `${Object.entries(KEYS)
      .map(([k, v]) => `${k}=${v}`)
      .join("\n")}\n`;
    const dir = await makeProject(inputs, clips["fal (accepted)"]!, { files: { ".env": envFile } });
    projects.push(dir);
    const runs = await tour(dir, {}, ["fal 500 echoing the request", "replicate 401", "omnihuman 401"]);
    const doctor = await refrain(dir, {}, "doctor", "--json");
    runs.push(doctor);
    const report = JSON.parse(doctor.out) as { keys: { name: string; set: boolean }[] };
    for (const name of Object.keys(KEYS)) {
      expect(report.keys.find((k) => k.name === name)?.set, `doctor: ${name} from .env`).toBe(true);
    }
    await expectNoKeyAnywhere(dir, runs, [join(dir, ".env")]);
  });
});
