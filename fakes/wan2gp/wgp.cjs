#!/usr/bin/env node
// A fake Wan2GP `wgp.py --process FILE --output-dir DIR`, written from Wan2GP's docs/CLI.md and SETTINGS.md.
// Copied into a test's "Wan2GP folder" as wgp.py and run with `node` as the python. Behaviour:
//   - reads the settings file (one object, a list, or {"tasks": [...]}) like shared/api.py:_load_settings_json;
//   - media paths absolute or relative to the Wan2GP folder; a missing one fails (exit 1);
//   - video_length not 4n+1 fails as in issue #544 (exit 1, einops message);
//   - Ctrl-C / SIGINT exits 130; REFRAIN_FAKE_BEHAVIOUR=fail exits 1 with a traceback,
//     =ignore-interrupt keeps running after SIGINT (so only a kill stops it);
//   - writes <output_filename or a timestamp>.mp4 (25 fps, the resolution asked, the audio_guide muxed)
//     into the output dir after REFRAIN_FAKE_DELAY_MS (default 400).
const fs = require("node:fs");
const path = require("node:path");
const { renderClip, startWorker, sleep } = require(process.env.REFRAIN_FAKE_RENDER || "./render-clip.cjs");

function fail(message) {
  process.stderr.write(
    `Traceback (most recent call last):\n  File "wgp.py", line 1, in <module>\n${message}\n`,
  );
  process.exit(1);
}

async function main() {
  const argv = process.argv.slice(2);
  const at = (flag) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const file = at("--process");
  const outDir = path.resolve(at("--output-dir") || "outputs");
  if (!file) fail("usage: wgp.py --process settings.json [--output-dir DIR]");
  let parsed;
  try {
    parsed = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    fail(`json.decoder.JSONDecodeError: ${e.message}`);
  }
  const tasks = Array.isArray(parsed) ? parsed : Array.isArray(parsed.tasks) ? parsed.tasks : [parsed];
  const worker = startWorker();
  let interrupted = false;
  process.on("SIGINT", () => {
    if (process.env.REFRAIN_FAKE_BEHAVIOUR === "ignore-interrupt") return;
    interrupted = true;
    process.stderr.write("KeyboardInterrupt\n");
    worker.kill();
    process.exit(130);
  });
  const delay = Number(process.env.REFRAIN_FAKE_DELAY_MS || 400);
  for (const task of tasks) {
    if (!task.model_type) fail("ValueError: model_type is required");
    const media = (p) => (p && !path.isAbsolute(p) ? path.resolve(p) : p);
    const image = media(task.image_start || (task.image_refs || [])[0]);
    const audio = media(task.audio_guide);
    for (const [key, p] of [
      ["image_start", image],
      ["audio_guide", audio],
    ]) {
      if (!p || !fs.existsSync(p)) fail(`FileNotFoundError: ${key} ${p} not found`);
    }
    const frames = Number(task.video_length);
    const [w, h] = String(task.resolution || "832x480")
      .split("x")
      .map(Number);
    process.stdout.write(`Generating ${task.model_type} ${w}x${h}, ${frames} frames\n`);
    await sleep(delay / 2);
    if (process.env.REFRAIN_FAKE_BEHAVIOUR === "fail") fail("torch.OutOfMemoryError: CUDA out of memory.");
    if ((frames - 1) % 4 !== 0) {
      fail(
        `einops.EinopsError:  Error while processing rearrange-reduction pattern "b (f c) h w -> b f c h w".\n` +
          ` Input tensor shape: torch.Size([1, ${frames}, 60, 104]). Additional info: {'c': 4}.\n` +
          ` Shape mismatch, can't divide axis of length ${frames} in chunks of 4`,
      );
    }
    await sleep(delay / 2);
    for (let i = 0; i < 10 && process.env.REFRAIN_FAKE_BEHAVIOUR === "ignore-interrupt"; i++)
      await sleep(delay);
    if (interrupted) return;
    fs.mkdirSync(outDir, { recursive: true });
    const name = task.output_filename || `${new Date().toISOString().replace(/[:.]/g, "-")}_seed${task.seed}`;
    const out = path.join(outDir, `${name}.mp4`);
    const tmp = path.join(outDir, `.${name}.tmp.mp4`);
    await renderClip({
      image,
      audio,
      audioRate: 16000,
      frames,
      fps: 25,
      width: w,
      height: h,
      seed: task.seed || 0,
      out: tmp,
    });
    fs.renameSync(tmp, out);
    process.stdout.write(`Video saved to ${out}\n`);
  }
  worker.kill();
}

main().catch((e) => fail(`RuntimeError: ${e.message}`));
