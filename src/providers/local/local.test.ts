// The free `local` provider: the shared clip-provider suite, and its camera motion as a pure function.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { findTools } from "../../media/index.js";
import { runClipProviderSuite } from "../suite/clip-provider.case.js";
import { cameraMotion, createLocalProvider } from "./index.js";

runClipProviderSuite({
  name: "local (still image with camera motion)",
  setup: async () => {
    const workDir = await mkdtemp(join(tmpdir(), "refrain-local-suite-"));
    const provider = createLocalProvider({ tools: findTools(), workDir });
    return {
      provider,
      close: async () => {
        await provider.close?.();
        await rm(workDir, { recursive: true, force: true });
      },
    };
  },
});

describe("camera motion", () => {
  const job = { frames: 100, seed: 7, kind: "vocal" as const, beatsS: [0.5, 1.0, 9.0] };

  it("is the same for the same seed and differs between seeds", () => {
    expect(cameraMotion(job, 25)).toEqual(cameraMotion(job, 25));
    expect(cameraMotion({ ...job, seed: 8 }, 25)).not.toEqual(cameraMotion(job, 25));
  });

  it("pulses on each beat inside the clip and ignores beats after it", () => {
    const { z } = cameraMotion(job, 25);
    expect(z).toContain("gte(on,13)"); // 0.5 s at 25 fps, rounded half up
    expect(z).toContain("gte(on,25)");
    expect(z).not.toContain("gte(on,225)"); // 9 s is past the clip's 100 frames
  });

  it("moves less on instrumental segments", () => {
    const vocal = cameraMotion(job, 25).z;
    const instrumental = cameraMotion({ ...job, kind: "instrumental" }, 25).z;
    expect(vocal).toContain("0.025*exp");
    expect(instrumental).toContain("0.012*exp");
  });
});
