// Wan2GP provider against the fake wgp.py: the shared suite, exit codes 1 and 130, the 4n+1 rule, and cancel killing the process group.
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { fakeWan2gpSettings } from "../../../fakes/wan2gp/install.js";
import { UserInputError } from "../../errors/index.js";
import { findTools, probe } from "../../media/index.js";
import { makeTestJob, pollUntil } from "../suite/clip-provider.case.js";
import { createWan2gpProvider, type Wan2gpSettings, wan2gpTaskSettings } from "./index.js";

const tools = findTools();

async function fakeInstall(env: Record<string, string> = {}, extra: Partial<Wan2gpSettings> = {}) {
  const root = await mkdtemp(join(tmpdir(), "wan2gp-"));
  const provider = createWan2gpProvider({ ...(await fakeWan2gpSettings(root, env)), tools, ...extra });
  return { root, provider, close: async () => rm(root, { recursive: true, force: true }) };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("wan2gp", () => {
  let dir = "";
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "wan2gp-jobs-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  test("the settings file carries the frame count itself, the audio and the image, so wgp_config.json is never edited", () => {
    const s = wan2gpTaskSettings(
      { frames: 233, width: 832, height: 480, seed: 7, token: "t/1" },
      { image: "/a/key.png", audio: "/a/audio.wav", prompt: "sing" },
    );
    expect(s).toMatchObject({
      model_type: "infinitetalk",
      video_length: 233,
      resolution: "832x480",
      audio_guide: "/a/audio.wav",
      image_start: "/a/key.png",
      image_refs: ["/a/key.png"],
      seed: 7,
      sliding_window_size: 81,
      sliding_window_overlap: 9,
    });
    expect(String(s.output_filename)).not.toContain("/");
  });

  test("a folder without wgp.py is refused with the setting to fix", () => {
    expect(() => createWan2gpProvider({ wan2gpDir: dir, workDir: dir, tools })).toThrow(/wan2gp_dir/);
  });

  test("a frame count that is not 4n+1 is refused before anything runs", async () => {
    const fake = await fakeInstall();
    try {
      const job = await makeTestJob(join(fake.root, "in"), { frames: 99 });
      await expect(fake.provider.submit(job)).rejects.toBeInstanceOf(UserInputError);
    } finally {
      await fake.close();
    }
  });

  test("Wan2GP's own 4n+1 failure (issue #544) reads as a frame-count error", async () => {
    const fake = await fakeInstall({}, { extra: { video_length: 99 } });
    try {
      const job = await makeTestJob(join(fake.root, "in"), { frames: 81 });
      const { remoteId } = await fake.provider.submit(job);
      const end = await pollUntil(fake.provider, remoteId);
      expect(end.state).toBe("failed");
      expect(end.reason).toMatch(/exit 1: frame count rejected .*4n\+1/);
    } finally {
      await fake.close();
    }
  });

  test("exit 1 fails the job with the last line of the script's output", async () => {
    const fake = await fakeInstall({ REFRAIN_FAKE_BEHAVIOUR: "fail" });
    try {
      const job = await makeTestJob(join(fake.root, "in"), { frames: 81 });
      const { remoteId } = await fake.provider.submit(job);
      const end = await pollUntil(fake.provider, remoteId);
      expect(end).toMatchObject({ state: "failed" });
      expect(end.reason).toContain("exit 1: torch.OutOfMemoryError");
      await expect(fake.provider.fetch(remoteId, join(fake.root, "x.mp4"))).rejects.toThrow(/failed/);
    } finally {
      await fake.close();
    }
  });

  test("an interrupt from outside (exit 130) fails the job as interrupted", async () => {
    const fake = await fakeInstall({ REFRAIN_FAKE_DELAY_MS: "3000" });
    try {
      const job = await makeTestJob(join(fake.root, "in"), { frames: 81 });
      const { remoteId } = await fake.provider.submit(job);
      await pollUntil(fake.provider, remoteId, (s) => s.state === "running");
      await new Promise((r) => setTimeout(r, 300));
      process.kill(fake.provider.processGroup(remoteId)!, "SIGINT");
      const end = await pollUntil(fake.provider, remoteId);
      expect(end.state).toBe("failed");
      expect(end.reason).toMatch(/interrupted \(exit 130\)/);
    } finally {
      await fake.close();
    }
  });

  test("cancel kills the whole process group, even a script that ignores the interrupt", async () => {
    const pidFile = join(dir, "pids");
    const fake = await fakeInstall({
      REFRAIN_FAKE_BEHAVIOUR: "ignore-interrupt",
      REFRAIN_FAKE_PID_FILE: pidFile,
      REFRAIN_FAKE_DELAY_MS: "2000",
    });
    try {
      const job = await makeTestJob(join(fake.root, "in"), { frames: 81 });
      const { remoteId } = await fake.provider.submit(job);
      await pollUntil(fake.provider, remoteId, (s) => s.state === "running");
      for (let i = 0; i < 100 && !existsSync(pidFile); i++) await new Promise((r) => setTimeout(r, 20));
      const [script, worker] = (await readFile(pidFile, "utf8")).trim().split(" ").map(Number);
      expect(alive(script!) && alive(worker!)).toBe(true);
      await fake.provider.cancel(remoteId);
      const end = await pollUntil(fake.provider, remoteId, undefined, 10_000);
      expect(end.state).toBe("cancelled");
      await new Promise((r) => setTimeout(r, 100));
      expect(alive(script!)).toBe(false);
      expect(alive(worker!)).toBe(false);
    } finally {
      await fake.close();
    }
  });

  test("instrumental jobs send silence of the same length and the still-lips prompt", async () => {
    const fake = await fakeInstall();
    try {
      const job = await makeTestJob(join(fake.root, "in"), {
        frames: 81,
        kind: "instrumental",
        prompt: "a singer",
      });
      const { remoteId } = await fake.provider.submit(job);
      expect((await pollUntil(fake.provider, remoteId)).state).toBe("succeeded");
      const jobsDir = join(fake.root, "jobs");
      const { readdir } = await import("node:fs/promises");
      const [only] = await readdir(jobsDir);
      const settings = JSON.parse(await readFile(join(jobsDir, only!, "settings.json"), "utf8"));
      expect(settings.prompt).toMatch(/^a singer, mouth closed/);
      const sent = await probe(tools, settings.audio_guide, "audio");
      const given = await probe(tools, job.audio, "audio");
      expect(sent.durationS).toBeCloseTo(given.durationS, 3);
      const { decodeMono } = await import("../../media/index.js");
      const samples = await decodeMono(tools, settings.audio_guide);
      expect(samples.every((x) => x === 0)).toBe(true);
    } finally {
      await fake.close();
    }
  });

  test("a job finished before a restart is found by its token and never run again", async () => {
    const fake = await fakeInstall();
    try {
      const job = await makeTestJob(join(fake.root, "in"), { frames: 81 });
      const { remoteId } = await fake.provider.submit(job);
      expect((await pollUntil(fake.provider, remoteId)).state).toBe("succeeded");
      const again = createWan2gpProvider({
        wan2gpDir: join(fake.root, "Wan2GP"),
        python: process.execPath,
        workDir: join(fake.root, "jobs"),
        tools,
      });
      expect(await again.lookup(job.token)).toMatchObject({ remoteId, status: { state: "succeeded" } });
      expect(await again.submit(job)).toEqual({ remoteId });
      const out = join(fake.root, "again.mp4");
      await again.fetch(remoteId, out);
      expect((await probe(tools, out, "take")).video?.frames ?? 81).toBeGreaterThanOrEqual(81);
    } finally {
      await fake.close();
    }
  });
});
