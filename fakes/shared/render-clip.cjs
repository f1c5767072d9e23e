// The fake video a fake GPU script "generates", in plain CommonJS so a fake script copied into a user-like folder can inline-require it.
// Same picture as fakes/shared/clip.ts: the image scaled and centre-cropped, a box sliding across it, exact frames.
const { spawn } = require("node:child_process");

/** Renders `frames` frames at `fps`, w×h (scaled down to REFRAIN_FAKE_MAX_SIDE, keeping the aspect), muxing `audio` when given. */
function renderClip({ image, audio, audioRate, frames, fps, width, height, seed, out }) {
  const maxSide = Number(process.env.REFRAIN_FAKE_MAX_SIDE || 0);
  let w = width;
  let h = height;
  if (maxSide > 0 && Math.max(w, h) > maxSide) {
    const f = maxSide / Math.max(w, h);
    w = w * f;
    h = h * f;
  }
  w = Math.max(2, Math.round(w / 2) * 2);
  h = Math.max(2, Math.round(h / 2) * 2);
  const box = Math.max(4, Math.round(Math.min(w, h) / 8));
  const speed = 2 + (Math.abs(seed | 0) % 7);
  const seconds = (frames / fps).toFixed(6);
  const filter =
    `[0:v]scale=${w}:${h}:force_original_aspect_ratio=increase,crop=${w}:${h},setsar=1[bg];` +
    `color=c=red:s=${box}x${box}:r=${fps}[box];` +
    `[bg][box]overlay=x='mod(n*${speed},W)':y='(H-h)/2':shortest=1,format=yuv420p[v]`;
  const args = [
    "-hide_banner",
    "-nostdin",
    "-loglevel",
    "error",
    "-y",
    "-loop",
    "1",
    "-framerate",
    String(fps),
    "-i",
    image,
  ];
  if (audio) args.push("-i", audio);
  args.push("-filter_complex", filter, "-map", "[v]", "-frames:v", String(frames), "-r", String(fps));
  args.push("-c:v", "libx264", "-preset", "ultrafast", "-tune", "stillimage");
  if (audio) {
    args.push(
      "-map",
      "1:a",
      "-af",
      `apad,atrim=duration=${seconds}`,
      "-ar",
      String(audioRate || 16000),
      "-ac",
      "1",
      "-c:a",
      "aac",
    );
  }
  args.push("-movflags", "+faststart", "-f", "mp4", out);
  return new Promise((resolve, reject) => {
    const child = spawn(process.env.REFRAIN_FFMPEG || "ffmpeg", args, {
      stdio: ["ignore", "ignore", "pipe"],
    });
    let err = "";
    child.stderr.on("data", (d) => {
      err += d;
    });
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolve() : reject(new Error(`ffmpeg exit ${code}: ${err.trim()}`)),
    );
  });
}

/** Seconds of an audio file, read with ffprobe. */
function audioSeconds(file) {
  const { execFileSync } = require("node:child_process");
  const out = execFileSync(
    process.env.REFRAIN_FFPROBE || "ffprobe",
    ["-v", "error", "-show_entries", "format=duration", "-of", "default=nw=1:nk=1", file],
    { encoding: "utf8" },
  );
  return Number(out.trim());
}

/**
 * Starts a helper process in this script's process group (as a real generator's workers and
 * ffmpeg children are), and records its pid in REFRAIN_FAKE_PID_FILE, so a test can check that
 * cancelling killed the whole group and not just the script.
 */
function startWorker() {
  const worker = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
  if (process.env.REFRAIN_FAKE_PID_FILE) {
    require("node:fs").writeFileSync(process.env.REFRAIN_FAKE_PID_FILE, `${process.pid} ${worker.pid}\n`);
  }
  return worker;
}

/** Width and height of an image, read with ffprobe. */
function imageSize(file) {
  const { execFileSync } = require("node:child_process");
  const out = execFileSync(
    process.env.REFRAIN_FFPROBE || "ffprobe",
    ["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height", "-of", "csv=p=0", file],
    { encoding: "utf8" },
  );
  const [width, height] = out.trim().split(",").map(Number);
  return { width, height };
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

module.exports = { renderClip, audioSeconds, imageSize, startWorker, sleep };
