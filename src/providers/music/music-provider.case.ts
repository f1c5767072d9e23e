// The conformance suite every music provider passes (run from each provider's *.test.ts against its fake).
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseLyrics } from "../../analysis/lyrics/index.js";
import { Cancelled } from "../../errors/index.js";
import { findTools, probe } from "../../media/index.js";
import { MediaTakes, makeSongs } from "./index.js";
import type { MusicProvider, SongRequest } from "./types.js";

export interface MusicSuiteOptions {
  readonly name: string;
  /** Starts the fake and builds a provider on it. */
  readonly start: () => Promise<{ provider: MusicProvider; close: () => Promise<void> }>;
  /** Whether the provider returns aligned words (Suno does, ACE-Step does not). */
  readonly alignedWords: boolean;
}

export const SUITE_REQUEST: SongRequest = {
  lyrics: "[Verse]\nheadlights on the road\n\n[Chorus]\nwe drive until the morning",
  style: "synthwave",
  title: "Night Drive",
  durationS: 10,
};

export function runMusicProviderSuite(options: MusicSuiteOptions): void {
  describe(`music provider ${options.name}`, () => {
    const tools = findTools(process.env);
    let provider: MusicProvider;
    let close: () => Promise<void>;
    let dir: string;
    beforeAll(async () => {
      ({ provider, close } = await options.start());
      dir = await mkdtemp(join(tmpdir(), "music-suite-"));
    });
    afterAll(async () => {
      await close?.();
      await rm(dir, { recursive: true, force: true });
    });
    const fast = {
      tools,
      pollMs: 5,
      sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, Math.min(ms, 20))),
    };

    it("keeps every song of a request as a take with its audio and cost", async () => {
      const takes = new MediaTakes(join(dir, "a"), "songs");
      const made = await makeSongs(provider, SUITE_REQUEST, { ...fast, takes });
      expect(made).toHaveLength(provider.songsPerRequest);
      expect(made.every((t) => t.status === "succeeded")).toBe(true);
      expect(new Set(made.map((t) => t.item)).size).toBe(made.length);
      for (const t of made) {
        const info = await probe(tools, takes.path(t.file!), "song");
        expect(info.audio).toBeDefined();
        expect(t.durationS).toBeGreaterThan(0);
        expect(t.actualUsd).toBe(t.estimatedUsd);
      }
      const listed = await takes.list();
      expect(listed.map((t) => t.id).sort()).toEqual(made.map((t) => t.id).sort());
    });

    it(
      options.alignedWords ? "saves aligned words the lyric parser reads" : "saves no aligned words",
      async () => {
        const takes = new MediaTakes(join(dir, "b"), "songs");
        const [t] = await makeSongs(provider, SUITE_REQUEST, { ...fast, takes });
        if (!options.alignedWords) {
          expect(t!.lyrics).toBeNull();
          return;
        }
        const text = await readFile(takes.path(t!.lyrics!), "utf8");
        const lyrics = parseLyrics(text, t!.lyrics!);
        expect(lyrics.lines.map((l) => l.text)).toEqual([
          "headlights on the road",
          "we drive until the morning",
        ]);
      },
    );

    it("submits nothing once cancelled", async () => {
      const takes = new MediaTakes(join(dir, "c"), "songs");
      const abort = new AbortController();
      abort.abort();
      await expect(
        makeSongs(provider, SUITE_REQUEST, { ...fast, takes, signal: abort.signal }),
      ).rejects.toBeInstanceOf(Cancelled);
      expect(await takes.list()).toEqual([]);
    });
  });
}
