// InfiniteTalk's script provider against the fake: streaming mode fitted to the job, short audio, failures and cancel.
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { fakeInfiniteTalkSettings } from "../../../fakes/infinitetalk/install.js";
import { findTools, probe } from "../../media/index.js";
import { makeTestJob, pollUntil } from "../suite/clip-provider.case.js";
import {
  createInfiniteTalkProvider,
  explainInfiniteTalkFailure,
  type InfiniteTalkSettings,
  infiniteTalkArgs,
  infiniteTalkAudioSeconds,
} from "./index.js";

const tools = findTools();

async function fake(env: Record<string, string> = {}, extra: Partial<InfiniteTalkSettings> = {}) {
  const root = await mkdtemp(join(tmpdir(), "infinitetalk-"));
  const provider = createInfiniteTalkProvider({
    ...(await fakeInfiniteTalkSettings(root, env)),
    tools,
    ...extra,
  });
  return { root, provider, close: () => rm(root, { recursive: true, force: true }) };
}

describe("infinitetalk script", () => {
  test("runs streaming mode with max_frame_num fitted to the job (clip mode would stop at 81 frames)", () => {
    const args = infiniteTalkArgs(
      { frames: 153, seed: 9 },
      {
        inputJson: "/j/in.json",
        saveFile: "/j/out/take",
        ckptDir: "c",
        wav2vecDir: "w",
        infinitetalkWeights: "i",
      },
      { size: "infinitetalk-720" },
    );
    const flag = (f: string) => args[args.indexOf(f) + 1];
    expect(flag("--mode")).toBe("streaming");
    expect(flag("--frame_num")).toBe("81");
    expect(flag("--max_frame_num")).toBe("153");
    expect(flag("--size")).toBe("infinitetalk-720");
    expect(flag("--input_json")).toBe("/j/in.json");
    expect(flag("--save_file")).toBe("/j/out/take");
  });

  test("the audio sent is always longer than one window and covers the frames asked for", () => {
    for (const frames of [81, 153, 945]) {
      const s = infiniteTalkAudioSeconds(frames);
      expect(Math.floor(s * 25)).toBeGreaterThan(81);
      expect(Math.floor(s * 25)).toBeGreaterThanOrEqual(frames);
    }
  });

  test("a two-window job (153 frames) comes back with all its frames, and the input json names image and audio", async () => {
    const f = await fake();
    try {
      const job = await makeTestJob(join(f.root, "in"), { frames: 153 });
      const { remoteId } = await f.provider.submit(job);
      const end = await pollUntil(f.provider, remoteId);
      expect(end.state, end.reason).toBe("succeeded");
      const out = join(f.root, "take.mp4");
      await f.provider.fetch(remoteId, out);
      const v = (await probe(tools, out, "take")).video!;
      expect(v.frames).toBe(153);
      const [jobDir] = await readdir(join(f.root, "jobs"));
      const input = JSON.parse(await readFile(join(f.root, "jobs", jobDir!, "input.json"), "utf8"));
      expect(input).toMatchObject({ prompt: job.prompt, cond_video: job.image });
      expect(input.cond_audio.person1).toMatch(/audio\.wav$/);
    } finally {
      await f.close();
    }
  });

  test("audio shorter than one window is padded past the frames, so the script's AssertionError never fires", async () => {
    const f = await fake();
    try {
      const short = await makeTestJob(join(f.root, "in"), { frames: 81, audioSeconds: 1 });
      const r = await f.provider.submit(short);
      expect((await pollUntil(f.provider, r.remoteId)).state).toBe("succeeded");
    } finally {
      await f.close();
    }
  });

  test("the script's AssertionError for short audio reads as a sentence", () => {
    const tail = "Traceback…\nAssertionError: Aduio file not exists or length not satisfies frame nums.";
    expect(explainInfiniteTalkFailure(tail)).toMatch(/not longer than one 81-frame window/);
  });

  test("an out-of-memory failure says what to try", async () => {
    const f = await fake({ REFRAIN_FAKE_BEHAVIOUR: "oom" });
    try {
      const job = await makeTestJob(join(f.root, "in"), { frames: 81 });
      const { remoteId } = await f.provider.submit(job);
      const end = await pollUntil(f.provider, remoteId);
      expect(end.state).toBe("failed");
      expect(end.reason).toMatch(/exit 1: torch.OutOfMemoryError.*infinitetalk-480/);
    } finally {
      await f.close();
    }
  });

  test("a checkout without the script or weights is refused with the setting to fix", async () => {
    const root = await mkdtemp(join(tmpdir(), "infinitetalk-bad-"));
    try {
      expect(() => createInfiniteTalkProvider({ infinitetalkDir: root, workDir: root, tools })).toThrow(
        /infinitetalk_dir/,
      );
      const s = await fakeInfiniteTalkSettings(root);
      expect(() => createInfiniteTalkProvider({ ...s, tools, ckptDir: "weights/nope" })).toThrow(
        /ckptDir .*nope/,
      );
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
