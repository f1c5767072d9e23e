// How long `refrain demo` takes from the built package, against ffmpeg encoding the same number of frames bare.
//
// Run: npx tsx bench/demo.ts   (after `npm install`, which builds dist/)
// The figure the issue sets: `npx refrain demo` under 60 s on this 2-core machine. The bare encode
// (lavfi testsrc2 at the demo's size, frame count and x264 settings) is the baseline in the same run.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");
const dir = mkdtempSync(join(tmpdir(), "refrain-bench-demo-"));
const out = join(dir, "demo.mp4");

function timed(cmd: string, args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed: ${r.stderr}`);
  return (performance.now() - t0) / 1000;
}

try {
  const load = loadavg()[0]!.toFixed(1);
  const demo = timed(process.execPath, [join(root, "bin", "refrain.js"), "demo", "--out", out]);
  const probe = spawnSync(
    "ffprobe",
    [
      "-v",
      "error",
      "-count_frames",
      "-select_streams",
      "v",
      "-show_entries",
      "stream=nb_read_frames,width,height",
      "-of",
      "csv=p=0",
      out,
    ],
    { encoding: "utf8" },
  );
  const [width, height, frames] = probe.stdout.trim().split(",").map(Number) as [number, number, number];
  const bare = timed("ffmpeg", [
    "-v",
    "error",
    "-y",
    "-f",
    "lavfi",
    "-i",
    `testsrc2=s=${width}x${height}:r=25`,
    "-frames:v",
    String(frames),
    "-c:v",
    "libx264",
    "-preset",
    "medium",
    "-crf",
    "20",
    "-pix_fmt",
    "yuv420p",
    join(dir, "bare.mp4"),
  ]);
  console.log(
    JSON.stringify({
      bench: "demo",
      demo_s: +demo.toFixed(1),
      frames,
      size: `${width}x${height}`,
      bare_encode_s: +bare.toFixed(1),
      ratio: +(demo / bare).toFixed(2),
      load_before: +load,
      target_s: 60,
      ok: demo < 60,
    }),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
