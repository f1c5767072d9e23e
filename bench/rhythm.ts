// Times and scores the beat tracker against aubio (Debian aubio-tools, `aubiotrack`) on synthesised songs.
//
// Run: npx tsx bench/rhythm.ts
// Every song comes from src/analysis/rhythm/testing.ts with known beats; each is written to a
// 16-bit WAV in a temp dir for aubiotrack. Beat F-measure at ±70 ms (mir_eval rules, beats before
// 5 s ignored) for both, and time on a 3-minute song: wall and CPU time of analyzeRhythm on
// samples already in memory (median of 5) against aubiotrack's run on the WAV (process start,
// WAV read and tracking; CPU from the shell's `times`, median of 3), as a ratio in the same run.
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { analyzeRhythm, beatFMeasure } from "../src/analysis/rhythm/index.js";
import { type SongSpec, synthesizeSong } from "../src/analysis/rhythm/testing.js";
import { SAMPLE_RATE, secondsToSamples } from "../src/time/index.js";

const run = promisify(execFile);
const TOL = secondsToSamples(0.07);

const THREE_MINUTES: SongSpec = {
  // Pad intro, verse and chorus at 124 BPM, an 8 s breakdown of silence, last chorus fading out,
  // all over a noise floor 35 dB down: 171 s.
  parts: [
    { kind: "pad", seconds: 8, gainDb: -20 },
    { kind: "groove", bars: 32, bpm: 124 },
    { kind: "groove", bars: 24, bpm: 124, gainDb: 2 },
    { kind: "silence", seconds: 8 },
    { kind: "groove", bars: 24, bpm: 124 },
  ],
  fadeOutSeconds: 12,
  noiseFloorDb: -35,
};

const CASES: [string, SongSpec][] = [
  ["3-minute song, 124 BPM", THREE_MINUTES],
  ...[70, 90, 120, 145, 170].map((bpm): [string, SongSpec] => [
    `4/4 at ${bpm} BPM`,
    { parts: [{ kind: "groove", bars: Math.round((30 * bpm) / 240), bpm }] },
  ]),
  ["3/4 at 96 BPM", { parts: [{ kind: "groove", bars: 16, bpm: 96, meter: 3 }] }],
  ["swing at 110 BPM", { parts: [{ kind: "groove", bars: 16, bpm: 110, swing: 2 / 3 }] }],
  [
    "step 100 → 130 BPM",
    {
      parts: [
        { kind: "groove", bars: 12, bpm: 100 },
        { kind: "groove", bars: 16, bpm: 130 },
      ],
    },
  ],
  ["ramp 90 → 140 BPM", { parts: [{ kind: "groove", bars: 24, bpm: 90, bpmEnd: 140 }] }],
  [
    "20 s silent break",
    {
      parts: [
        { kind: "groove", bars: 8, bpm: 120 },
        { kind: "silence", seconds: 20 },
        { kind: "groove", bars: 8, bpm: 120 },
      ],
    },
  ],
];

function wav(samples: Float32Array, rate: number): Buffer {
  const data = Buffer.alloc(samples.length * 2);
  for (let i = 0; i < samples.length; i++) {
    data.writeInt16LE(Math.round(Math.max(-1, Math.min(1, samples[i]!)) * 32767), i * 2);
  }
  const h = Buffer.alloc(44);
  h.write("RIFF", 0);
  h.writeUInt32LE(36 + data.length, 4);
  h.write("WAVEfmt ", 8);
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20); // PCM
  h.writeUInt16LE(1, 22); // mono
  h.writeUInt32LE(rate, 24);
  h.writeUInt32LE(rate * 2, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write("data", 36);
  h.writeUInt32LE(data.length, 40);
  return Buffer.concat([h, data]);
}

/** aubiotrack's beats and its children's CPU seconds, as the shell's `times` reports them. */
async function aubio(file: string): Promise<{ beats: number[]; wallMs: number; cpuMs: number }> {
  const t0 = performance.now();
  const { stdout } = await run("sh", ["-c", 'aubiotrack -i "$1"; times 1>&2', "sh", file], {
    maxBuffer: 1 << 24,
  }).then(async (r) => {
    // `times` went to stderr so beats stay clean; parse the second line (children).
    return { stdout: `${r.stdout}\n@@${r.stderr}` };
  });
  const wallMs = performance.now() - t0;
  const [beatText, timesText = ""] = stdout.split("@@");
  const beats = beatText!
    .split(/\s+/)
    .filter(Boolean)
    .map(Number)
    .filter(Number.isFinite)
    .map(secondsToSamples);
  const children = timesText.trim().split("\n")[1] ?? "";
  const cpuMs = [...children.matchAll(/(\d+)m([\d.]+)s/g)].reduce(
    (s, m) => s + (Number(m[1]) * 60 + Number(m[2])) * 1000,
    0,
  );
  return { beats, wallMs, cpuMs };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "refrain-bench-rhythm-"));
  try {
    console.log("| song | refrain F | aubiotrack F | refrain tempo | true tempo |");
    console.log("|---|---|---|---|---|");
    let timing = "";
    for (const [name, spec] of CASES) {
      const song = synthesizeSong(spec);
      const file = join(dir, "song.wav");
      await writeFile(file, wav(song.samples, song.sampleRate));
      const ours = analyzeRhythm(song.samples, song.sampleRate);
      const theirs = await aubio(file);
      const bpms = spec.parts.flatMap((p) => (p.kind === "groove" ? [p.bpm, p.bpmEnd ?? p.bpm] : []));
      const truth =
        Math.min(...bpms) === Math.max(...bpms)
          ? String(bpms[0])
          : `${Math.min(...bpms)}–${Math.max(...bpms)}`;
      console.log(
        `| ${name} | ${beatFMeasure(ours.beats, song.beats, TOL).toFixed(3)} | ${beatFMeasure(theirs.beats, song.beats, TOL).toFixed(3)} | ${ours.tempoBpm ?? "none"} | ${truth} |`,
      );
      if (spec === THREE_MINUTES) {
        const wall: number[] = [];
        const cpu: number[] = [];
        for (let i = 0; i < 5; i++) {
          const c0 = cpuNow();
          const t0 = performance.now();
          analyzeRhythm(song.samples, song.sampleRate);
          wall.push(performance.now() - t0);
          cpu.push(cpuNow() - c0);
        }
        const aw: number[] = [];
        const ac: number[] = [];
        for (let i = 0; i < 3; i++) {
          const r = await aubio(file);
          aw.push(r.wallMs);
          ac.push(r.cpuMs);
        }
        const seconds = song.samples.length / song.sampleRate;
        timing = [
          `3-minute song (${seconds.toFixed(0)} s at ${SAMPLE_RATE} Hz):`,
          `  analyzeRhythm  wall ${median(wall).toFixed(0)} ms, CPU ${median(cpu).toFixed(0)} ms`,
          `  aubiotrack     wall ${median(aw).toFixed(0)} ms, CPU ${median(ac).toFixed(0)} ms`,
          `  aubiotrack / analyzeRhythm: wall ×${(median(aw) / median(wall)).toFixed(2)}, CPU ×${(median(ac) / median(cpu)).toFixed(2)}`,
        ].join("\n");
      }
    }
    console.log(`\n${timing}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
