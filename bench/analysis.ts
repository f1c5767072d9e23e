// Scores song analysis on the synthetic evaluation set, side by side with aubio as the baseline.
//
// Run: npx tsx bench/analysis.ts [--build] [--tune]
//   --build  rebuild bench/out/evalset first (it is built anyway when missing)
//   --tune   sweep the voice thresholds on the set and print the best settings
//   --speed  only the 3-minute speed comparison
// Beat F-measure at ±70 ms (mir_eval rules: beats before 5 s ignored), tempo error, vocal-activity
// frame accuracy at 10 ms frames (no lyrics given), and wall time per song. aubio (Debian
// aubio-tools) is run on the same files in the same run as the baseline beat tracker.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { analyzeSong } from "../src/analysis/index.js";
import { beatFMeasure } from "../src/analysis/rhythm/score.js";
import type { Span } from "../src/analysis/types.js";
import {
  detectVoice,
  spansFromProbabilities,
  VAD_HOP_SAMPLES,
  VAD_THRESHOLDS,
  type VoiceThresholds,
  voicingScore,
} from "../src/analysis/voice/index.js";
import { decodeMono, findTools } from "../src/media/index.js";
import { SAMPLE_RATE, secondsToSamples } from "../src/time/index.js";
import { aubio } from "./aubio.js";
import { buildEvalset, SONGS } from "./evalset/build.js";
import { bestOfSeconds } from "./timing.js";

const DIR = resolve("bench/out/evalset");
const TOL = secondsToSamples(0.07);

interface Truth {
  id: string;
  file: string;
  tempo_bpm: number | null;
  beats_s: number[];
  downbeats_s: number[];
  vocal_intervals_s: [number, number][];
}

const toSpans = (xs: [number, number][]): Span[] =>
  xs.map(([a, b]) => ({ start: secondsToSamples(a), end: secondsToSamples(b) }));
const f2 = (x: number) => x.toFixed(2);
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

async function main(): Promise<void> {
  const args = new Set(process.argv.slice(2));
  if (args.has("--build") || !SONGS.every((s) => existsSync(join(DIR, `${s.id}.suno-rough.json`)))) {
    const t0 = performance.now();
    await buildEvalset(DIR);
    console.error(`built the evaluation set in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  const tools = findTools();
  const truths: Truth[] = [];
  for (const s of SONGS) truths.push(JSON.parse(await readFile(join(DIR, `${s.id}.json`), "utf8")) as Truth);

  if (args.has("--speed")) {
    await speed(tools);
    return;
  }
  if (args.has("--tune")) {
    await tune(truths);
    return;
  }

  const rows: string[] = [];
  const sums = { f: 0, fa: 0, nf: 0, acc: 0, n: 0, ours: 0, theirs: 0 };
  for (const t of truths) {
    const file = join(DIR, t.file);
    const t0 = performance.now();
    const { analysis } = await analyzeSong(tools, file);
    const seconds = (performance.now() - t0) / 1000;
    const base = await aubio(file);
    const ref = t.beats_s.map(secondsToSamples);
    const hasBeat = ref.length > 0;
    const f = hasBeat ? beatFMeasure(analysis.beats, ref, TOL) : null;
    const fa = hasBeat && base ? beatFMeasure(base.beats, ref, TOL) : null;
    const tempoErr = (bpm: number | null) =>
      t.tempo_bpm && bpm
        ? `${f2((100 * Math.abs(bpm - t.tempo_bpm)) / t.tempo_bpm)}%`
        : bpm
          ? `(${f2(bpm)})`
          : "—";
    const v = voicingScore(analysis.vocal, toSpans(t.vocal_intervals_s), analysis.durationSamples);
    if (f !== null && fa !== null) {
      sums.f += f;
      sums.fa += fa;
      sums.nf++;
    }
    sums.acc += v.accuracy;
    sums.n++;
    sums.ours += seconds;
    sums.theirs += base?.beatSeconds ?? 0;
    rows.push(
      `| ${t.id} | ${f === null ? "—" : f2(f)} | ${fa === null ? "—" : f2(fa)} | ${tempoErr(analysis.tempoBpm)} | ${tempoErr(base?.bpm ?? null)} | ${pct(v.accuracy)} | ${pct(v.recall)} | ${pct(v.falseAlarm)} | ${analysis.vocalSource} | ${f2(seconds)} | ${base ? f2(base.beatSeconds) : "—"} |`,
    );
    console.error(`${t.id}: done`);
  }
  console.log(
    "| song | beat F (ours) | beat F (aubio) | tempo err (ours) | tempo err (aubio) | vocal frame acc | vocal recall | vocal false alarm | vocal source | time ours s | time aubio beat s |",
  );
  console.log("|---|---|---|---|---|---|---|---|---|---|---|");
  for (const r of rows) console.log(r);
  console.log(
    `| **mean** | ${f2(sums.f / Math.max(1, sums.nf))} | ${f2(sums.fa / Math.max(1, sums.nf))} | | | ${pct(sums.acc / sums.n)} | | | | ${f2(sums.ours)} total | ${f2(sums.theirs)} total |`,
  );
  await speed(tools);
}

/** The 3-minute song: full analysis against aubio, and the voice detector against one unbatched thread. */
async function speed(tools: ReturnType<typeof findTools>): Promise<void> {
  const file = join(DIR, "long-3min-118.wav");
  const samples = await decodeMono(tools, file);
  const full = await bestOfSeconds(() => analyzeSong(tools, file));
  // CPU seconds of this process (main thread + voice workers; not the ffmpeg decode): on a loaded
  // shared machine wall time overstates what an idle 2-core machine takes.
  const cpu0 = process.cpuUsage();
  await analyzeSong(tools, file);
  const cpu = process.cpuUsage(cpu0);
  const cpuS = (cpu.user + cpu.system) / 1e6;
  const decode = await bestOfSeconds(() => decodeMono(tools, file));
  const vad = await bestOfSeconds(() => detectVoice(samples));
  const vadPlain = await bestOfSeconds(() => detectVoice(samples, { threads: 1, streams: 1 }), 1);
  const aubioBeat = await bestOfSeconds(async () => aubio(file));
  console.log("\n3-minute song (long-3min-118.wav), best of 3:\n");
  console.log(`| step | seconds |\n|---|---|`);
  console.log(`| analyzeSong (probe, decode, beats, voice) | ${f2(full)} |`);
  console.log(`| analyzeSong CPU seconds in this process (beats + voice, both cores summed) | ${f2(cpuS)} |`);
  console.log(`| decode only (ffmpeg → f32 48 kHz) | ${f2(decode)} |`);
  console.log(`| detectVoice (2 workers × 16 batched streams) | ${f2(vad)} |`);
  console.log(`| detectVoice baseline (1 thread, 1 stream, one model call per window) | ${f2(vadPlain)} |`);
  console.log(`| aubio beat + aubio tempo (baseline tracker) | ${f2(aubioBeat)} |`);
  console.log(
    `\nratios: analyzeSong / aubio = ${f2(full / aubioBeat)}; batched VAD speed-up = ${f2(vadPlain / vad)}×`,
  );
}

/** Sweeps hysteresis and clean-up settings over cached model probabilities; prints the best. */
async function tune(truths: Truth[]): Promise<void> {
  const tools = findTools();
  const cached: { probs: Float32Array; n: number; ref: Span[] }[] = [];
  for (const t of truths) {
    const samples = await decodeMono(tools, join(DIR, t.file));
    const v = await detectVoice(samples);
    cached.push({ probs: v.probabilities, n: samples.length, ref: toSpans(t.vocal_intervals_s) });
  }
  const results: { t: VoiceThresholds; acc: number; worst: number }[] = [];
  for (const onset of [0.3, 0.4, 0.5, 0.6, 0.7])
    for (const gapDrop of [0.1, 0.15, 0.25])
      for (const mergeGapMs of [100, 200, 300, 500, 800])
        for (const minSpanMs of [100, 250, 400])
          for (const padMs of [0, 30, 60]) {
            const t = { onset, offset: Math.max(0.05, onset - gapDrop), mergeGapMs, minSpanMs, padMs };
            let acc = 0;
            let worst = 1;
            for (const c of cached) {
              const spans = spansFromProbabilities(c.probs, VAD_HOP_SAMPLES, c.n, t, SAMPLE_RATE);
              const a = voicingScore(spans, c.ref, c.n).accuracy;
              acc += a;
              worst = Math.min(worst, a);
            }
            results.push({ t, acc: acc / cached.length, worst });
          }
  results.sort((a, b) => b.acc - a.acc);
  const current = results.find((r) => JSON.stringify(r.t) === JSON.stringify(VAD_THRESHOLDS));
  console.log("best 10 settings (mean / worst frame accuracy over the set):");
  for (const r of results.slice(0, 10)) console.log(pct(r.acc), pct(r.worst), JSON.stringify(r.t));
  if (current) console.log("current:", pct(current.acc), pct(current.worst), JSON.stringify(current.t));
}

await main();
