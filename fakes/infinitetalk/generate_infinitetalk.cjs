#!/usr/bin/env node
// A fake MeiGen-AI/InfiniteTalk `generate_infinitetalk.py`, written from its argument parser and wan/multitalk.py.
// Copied into a test's "InfiniteTalk folder" as generate_infinitetalk.py and run with `node` as the python.
//   - reads --input_json {prompt, cond_video, cond_audio: {person1}}; missing media fails (exit 1);
//   - the audio must be longer than --frame_num frames at 25 fps, else the AssertionError (sic)
//     "Aduio file not exists or length not satisfies frame nums.";
//   - --mode clip (the default!) makes exactly --frame_num frames; --mode streaming makes
//     min(audio frames, --max_frame_num (default 1000)) frames;
//   - --size infinitetalk-480|720: the picture keeps the image's aspect at about 480²/720² pixels
//     (the real buckets, ASPECT_RATIO_627/960, snap to a table; the fake only keeps the aspect);
//   - writes <--save_file>.mp4 at 25 fps with the 16 kHz audio copy muxed, after REFRAIN_FAKE_DELAY_MS;
//   - SIGINT exits 130 (KeyboardInterrupt); REFRAIN_FAKE_BEHAVIOUR=oom fails like issue #187.
const fs = require("node:fs");
const path = require("node:path");
const { renderClip, audioSeconds, imageSize, startWorker, sleep } = require("./render-clip.cjs");

function fail(message) {
  process.stderr.write(
    `Traceback (most recent call last):\n  File "generate_infinitetalk.py", line 1, in <module>\n${message}\n`,
  );
  process.exit(1);
}

async function main() {
  const argv = process.argv.slice(2);
  const at = (flag, fallback) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : fallback;
  };
  const inputJson = at("--input_json");
  if (!inputJson) fail("error: the following arguments are required: --input_json");
  for (const flag of ["--ckpt_dir", "--wav2vec_dir", "--infinitetalk_dir"]) {
    const p = at(flag);
    if (p && !fs.existsSync(p)) fail(`FileNotFoundError: ${flag} ${p} does not exist`);
  }
  const size = at("--size", "infinitetalk-480");
  if (!["infinitetalk-480", "infinitetalk-720"].includes(size))
    fail(`error: argument --size: invalid choice: '${size}'`);
  const mode = at("--mode", "clip");
  const frameNum = Number(at("--frame_num", "81"));
  const maxFrameNum = Number(at("--max_frame_num", "1000"));
  const seed = Number(at("--base_seed", "42"));
  const saveFile = at("--save_file", `infinitetalk_${Date.now()}`);
  if ((frameNum - 1) % 4 !== 0) fail("AssertionError: frame_num should be 4n+1");
  const meta = JSON.parse(fs.readFileSync(inputJson, "utf8"));
  const image = meta.cond_video;
  const audio = meta.cond_audio?.person1;
  if (!image || !fs.existsSync(image)) fail(`FileNotFoundError: cond_video ${image}`);
  const worker = startWorker();
  process.on("SIGINT", () => {
    process.stderr.write("KeyboardInterrupt\n");
    worker.kill();
    process.exit(130);
  });
  const audioFrames = audio && fs.existsSync(audio) ? Math.floor(audioSeconds(audio) * 25) : 0;
  if (!(audioFrames > frameNum)) {
    worker.kill();
    fail("AssertionError: Aduio file not exists or length not satisfies frame nums.");
  }
  const delay = Number(process.env.REFRAIN_FAKE_DELAY_MS || 400);
  await sleep(delay / 2);
  if (process.env.REFRAIN_FAKE_BEHAVIOUR === "oom") {
    worker.kill();
    fail("torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB");
  }
  await sleep(delay / 2);
  const frames = mode === "streaming" ? Math.min(audioFrames, maxFrameNum) : frameNum;
  const { width, height } = imageSize(image);
  const area = size === "infinitetalk-720" ? 720 * 720 : 480 * 480;
  const scale = Math.sqrt(area / (width * height));
  const w = Math.round((width * scale) / 16) * 16;
  const h = Math.round((height * scale) / 16) * 16;
  const out = `${saveFile}.mp4`;
  const tmp = path.join(path.dirname(out), `.tmp-${path.basename(out)}`);
  fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
  await renderClip({ image, audio, audioRate: 16000, frames, fps: 25, width: w, height: h, seed, out: tmp });
  fs.renameSync(tmp, out);
  process.stdout.write(`Saving generated video to ${out}\n`);
  worker.kill();
}

main().catch((e) => fail(`RuntimeError: ${e.message}`));
