// refrain doctor says whether the font for burnt-in karaoke lyrics is installed, before a long make finds out.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../src/cli/index.js";

async function doctor(cwd: string) {
  const out: string[] = [];
  await main(["node", "refrain", "doctor", "--json"], {
    stdout: (t) => out.push(t),
    stderr: () => {},
    cwd,
    interactive: false,
  });
  const report = JSON.parse(out.join("\n")) as { checks: { name: string; ok: boolean; detail: string }[] };
  return { font: report.checks.find((c) => c.name === "font: lyrics") };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "refrain-doctor-font-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("refrain doctor: the lyrics font", () => {
  it("is reported present where fonts-noto-cjk is installed (as .ci/run does)", async () => {
    const r = await doctor(dir);
    expect(r.font).toEqual({ name: "font: lyrics", ok: true, detail: "Noto Sans CJK SC" });
  });

  it("fails with what to install when fontconfig knows no such font", async () => {
    // A fontconfig with no font folders at all, as on a bare server.
    const conf = join(dir, "fonts.conf");
    await writeFile(
      conf,
      `<?xml version="1.0"?>\n<fontconfig><cachedir>${dir}/cache</cachedir></fontconfig>\n`,
    );
    const saved = process.env.FONTCONFIG_FILE;
    process.env.FONTCONFIG_FILE = conf;
    try {
      const r = await doctor(dir);
      expect(r.font?.ok).toBe(false);
      expect(r.font?.detail).toMatch(
        /Noto Sans CJK SC not installed — install it \(Debian: apt-get install fonts-noto-cjk\)/,
      );
      const text: string[] = [];
      const code = await main(["node", "refrain", "doctor"], {
        stdout: (t) => text.push(t),
        stderr: () => {},
        cwd: dir,
        interactive: false,
      });
      expect(code).toBe(2);
      expect(text.join("\n")).toMatch(
        /^FAIL {2}font: lyrics +subtitle font Noto Sans CJK SC not installed — install it/m,
      );
    } finally {
      if (saved === undefined) delete process.env.FONTCONFIG_FILE;
      else process.env.FONTCONFIG_FILE = saved;
    }
  });
});
