// Keys never leak: every error message, cause and file a failing run writes is searched for the key.
import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { startFalFake } from "../../../fakes/fal/server.js";
import { startReplicateFake } from "../../../fakes/replicate/server.js";
import { findTools } from "../../media/index.js";
import { createFalProvider } from "../fal/index.js";
import { createReplicateProvider } from "../replicate/index.js";
import { makeTestJob } from "../suite/clip-provider.case.js";
import { scrub } from "./scrub.js";

const tools = findTools();
const KEY = "sk-DISTINCTIVE-7e3f9a1c5b";

/** Every text an error carries: message, short message, hint, stack, and each cause down the chain. */
function texts(e: unknown, depth = 0): string[] {
  if (!e || typeof e !== "object" || depth > 6) return [String(e)];
  const x = e as { message?: string; shortMessage?: string; hint?: string; stack?: string; cause?: unknown };
  return [x.message, x.shortMessage, x.hint, x.stack, JSON.stringify(e), ...texts(x.cause, depth + 1)].filter(
    (t): t is string => typeof t === "string",
  );
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const name of await readdir(dir)) {
    const p = join(dir, name);
    if ((await stat(p)).isDirectory()) out.push(...(await filesUnder(p)));
    else out.push(p);
  }
  return out;
}

describe("key scrubbing", () => {
  test("scrub removes a key in plain and URL-encoded form and ignores tiny secrets", () => {
    expect(scrub(`Authorization: Key ${KEY}`, [KEY])).toBe("Authorization: Key ***");
    expect(scrub(`?k=${encodeURIComponent("a/b+c=d")}`, ["a/b+c=d"])).toBe("?k=***");
    expect(scrub("abc", ["a"])).toBe("abc");
  });

  test("a wrong key used against failing fakes appears in no error, log line or written file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "scrub-"));
    const fal = await startFalFake({ key: "the-right-key", tools });
    const rep = await startReplicateFake({ token: "the-right-token", tools });
    const log: string[] = [];
    const errors: unknown[] = [];
    try {
      const job = await makeTestJob(join(dir, "job"), { frames: 41 }, tools);
      const ctx = {
        env: { FAL_KEY: KEY, REPLICATE_API_TOKEN: KEY },
        tools,
        workDir: join(dir, "work"),
        onCommand: (l: string) => log.push(l),
      };
      const providers = [
        await createFalProvider({ provider: "fal", base_url: fal.url, storage_url: fal.url }, ctx),
        await createFalProvider(
          { provider: "fal", base_url: "http://127.0.0.1:9", storage_url: "http://127.0.0.1:9" },
          ctx,
        ),
        await createReplicateProvider({ provider: "replicate", base_url: rep.url }, ctx),
      ];
      for (const p of providers) {
        for (const step of [
          () => p.submit(job),
          () => p.poll("some-id"),
          () => p.fetch("some-id", join(dir, "out.mp4")),
          () => p.cancel("some-id"),
        ]) {
          await step().then(
            () => errors.push(new Error("expected a failure")),
            (e: unknown) => errors.push(e),
          );
        }
      }
      expect(errors.length).toBe(12);
      expect(fal.stats.refusedAuth + rep.stats.refusedAuth).toBeGreaterThan(0);
      expect(log.length).toBeGreaterThan(0);
      const everything = [...errors.flatMap((e) => texts(e)), ...log];
      for (const f of await filesUnder(dir)) everything.push((await readFile(f)).toString("latin1"));
      for (const t of everything) expect(t).not.toContain(KEY);
      // The errors still say which variable to fix.
      expect(errors.some((e) => texts(e).some((t) => t.includes("FAL_KEY is not valid")))).toBe(true);
    } finally {
      await fal.close();
      await rep.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
