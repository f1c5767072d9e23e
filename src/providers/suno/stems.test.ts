// Suno stems through sunoapi.org's vocal-removal routes, against the fake: every stem a readable take, the price recorded once.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startSunoFake } from "../../../fakes/suno/server.js";
import { UserInputError } from "../../errors/index.js";
import { findTools, probe } from "../../media/index.js";
import { createAceStepProvider } from "../acestep/index.js";
import { MediaTakes, makeSongs, separateStems } from "../music/index.js";
import { SUITE_REQUEST } from "../music/music-provider.case.js";
import { createSunoapiProvider, stemLinks } from "./index.js";

const tools = findTools(process.env);
const env = { SUNO_API_KEY: "suno-test-key" };

describe("suno stems", () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    while (cleanup.length) await cleanup.pop()!();
  });
  async function setup() {
    const fake = await startSunoFake({ tools, songSeconds: 1 });
    const dir = await mkdtemp(join(tmpdir(), "suno-stems-"));
    cleanup.push(fake.close, () => rm(dir, { recursive: true, force: true }));
    const provider = createSunoapiProvider({ base_url: fake.url, price_usd: 0.2 }, { tools, env });
    const songs = new MediaTakes(dir, "songs");
    const stems = new MediaTakes(dir, "stems");
    const [song] = await makeSongs(provider, SUITE_REQUEST, { tools, takes: songs, pollMs: 1 });
    return { fake, dir, provider, song: song!, stems };
  }

  it("keeps vocals and instrumental as readable audio takes of the song, costing one credit in all", async () => {
    const { fake, provider, song, stems } = await setup();
    const made = await separateStems(provider, song, "separate_vocal", { tools, stems, pollMs: 1 });
    expect(made.map((t) => t.item).sort()).toEqual(["instrumental", "vocal"]);
    for (const t of made) {
      const info = await probe(tools, stems.path(t.file!));
      expect(info.audio).toBeTruthy();
      expect(t.spec).toEqual({ song: song.id, type: "separate_vocal" });
    }
    const listed = await stems.list();
    expect(listed).toHaveLength(2);
    const total = listed.reduce((s, t) => s + (t.actualUsd ?? t.estimatedUsd), 0);
    expect(total).toBeCloseTo(provider.stems!.price("separate_vocal"));
    const sent = fake.bodies.at(-1) as Record<string, unknown>;
    expect(sent).toMatchObject({ taskId: song.remoteId, audioId: song.item, type: "separate_vocal" });
  });

  it("splits into several instruments for split_stem, priced five times a vocal split", async () => {
    const { provider, song, stems } = await setup();
    const made = await separateStems(provider, song, "split_stem", { tools, stems, pollMs: 1 });
    expect(made.length).toBeGreaterThan(2);
    expect(made.map((t) => t.item)).toContain("drums");
    const total = made.reduce((s, t) => s + (t.actualUsd ?? 0), 0);
    expect(total).toBeCloseTo(5 * provider.stems!.price("separate_vocal"));
  });

  it("reads stem links from the documented answer, leaving out the original mix and empty ones", () => {
    expect(
      stemLinks({ originUrl: "o", vocalUrl: "v", instrumentalUrl: "i", drumsUrl: null, taskId: "x" }),
    ).toEqual({ vocal: "v", instrumental: "i" });
  });

  it("refuses a provider without stems, and a song that was never made, with one clear line", async () => {
    const { song, stems } = await setup();
    const ace = createAceStepProvider({ base_url: "http://127.0.0.1:9" }, { tools, env: {} });
    await expect(separateStems(ace, song, "separate_vocal", { tools, stems })).rejects.toThrow(
      UserInputError,
    );
    const { provider } = await setup();
    await expect(
      separateStems(provider, { ...song, status: "failed" }, "separate_vocal", { tools, stems }),
    ).rejects.toThrow(/only a finished song/);
  });
});
