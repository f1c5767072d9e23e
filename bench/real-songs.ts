// Scores the beat tracker on real studio recordings with authored tempo maps (Frets on Fire song packs), beside aubio.
//
// Run: npx tsx bench/real-songs.ts [--sections]
//   --sections  also print, per 10 s of each song, what the tracker saw: the tempogram's pulse
//               clarity and tempo path, and how many beats it placed, at what tempo, on or off the beat
// Needs Debian's fretsonfire-songs-muldjord and fretsonfire-songs-sectoid (4 + 4 songs; skipped with
// a one-line hint when missing; FOF_SONGS=<dir> points elsewhere) and aubio-tools for the baseline.
// Each song folder has its stems as .ogg (song, guitar, sometimes rhythm), a notes.mid whose tempo
// map was authored against the audio, and a song.ini that may carry `delay = <ms>`: Frets on Fire
// plays the chart at audio position − delay (GuitarScene.py: `self.delay += song.info.delay`, then
// `songPos − self.delay`), so a chart time t sounds at t + delay in the audio.
// The stems are summed once into bench/out/real-songs/<id>.wav; the truth beats are every quarter
// note of the chart (ppq ticks through the tempo map) up to the audio's end, downbeats every bar of
// its time signatures (4/4 when it has none). Scores: beat and downbeat F-measure at ±70 ms with
// mir_eval's rules (beats before 5 s ignored), tempo against the dominant chart tempo.
import { execFile } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { loadavg } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import tonejsMidi from "@tonejs/midi";
import { analyzeSong } from "../src/analysis/index.js";
import { analyzeRhythm, beatFMeasure } from "../src/analysis/rhythm/index.js";
import { trackTempo } from "../src/analysis/rhythm/tempo.js";
import { withTempOutput } from "../src/files/index.js";
import { findTools, probe, runFfmpeg, type Tools } from "../src/media/index.js";
import { SAMPLE_RATE, secondsToSamples } from "../src/time/index.js";
import { aubio } from "./aubio.js";

const { Midi } = tonejsMidi;
const run = promisify(execFile);
const ROOT = process.env.FOF_SONGS ?? "/usr/share/games/fretsonfire/data/songs";
const PACKS = ["muldjord", "sectoid"];
const OUT = resolve("bench/out/real-songs");
const TOL = secondsToSamples(0.07);
/** Tempo within this fraction of 2× or ½× the truth is an octave error. */
const OCTAVE_TOL = 0.02;

interface Song {
  id: string;
  dir: string;
  stems: string[];
}

interface Truth {
  /** Every tempo of the map with the seconds it lasts inside the audio, longest first. */
  tempos: { bpm: number; fromS: number; seconds: number }[];
  meter: string;
  beats: number[];
  downbeats: number[];
  delayMs: number;
}

const f2 = (x: number) => x.toFixed(2);
const f1 = (x: number) => x.toFixed(1);
const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");

function findSongs(): Song[] {
  const songs: Song[] = [];
  for (const pack of PACKS) {
    const packDir = join(ROOT, pack);
    if (!existsSync(packDir)) continue;
    for (const d of readdirSync(packDir, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const dir = join(packDir, d.name);
      if (!d.isDirectory() || !existsSync(join(dir, "notes.mid"))) continue;
      const stems = readdirSync(dir)
        .filter((f) => f.endsWith(".ogg"))
        .sort()
        .map((f) => join(dir, f));
      if (stems.length) songs.push({ id: `${pack}-${slug(d.name)}`, dir, stems });
    }
  }
  return songs;
}

/** All stems summed (scaled by 1/n so the sum cannot clip) into one 16-bit WAV, made once. */
async function mix(tools: Tools, song: Song): Promise<string> {
  const file = join(OUT, `${song.id}.wav`);
  if (existsSync(file)) return file;
  const n = song.stems.length;
  await withTempOutput(file, (tmp) =>
    runFfmpeg(tools, [
      ...song.stems.flatMap((s) => ["-i", s]),
      "-filter_complex",
      `${song.stems.map((_, i) => `[${i}:a]`).join("")}amix=inputs=${n}:duration=longest:normalize=0,volume=${1 / n}[m]`,
      "-map",
      "[m]",
      "-c:a",
      "pcm_s16le",
      tmp,
    ]),
  );
  return file;
}

/** song.ini's `delay` in milliseconds (0 when absent). */
async function chartDelayMs(dir: string): Promise<number> {
  const ini = join(dir, "song.ini");
  if (!existsSync(ini)) return 0;
  const m = /^\s*delay\s*=\s*(-?\d+(?:\.\d+)?)\s*$/im.exec(await readFile(ini, "utf8"));
  return m ? Number(m[1]) : 0;
}

async function truthOf(song: Song, durationS: number): Promise<Truth> {
  const midi = new Midi(await readFile(join(song.dir, "notes.mid")));
  const { header } = midi;
  const delayMs = await chartDelayMs(song.dir);
  const at = (ticks: number) => header.ticksToSeconds(ticks) + delayMs / 1000;
  const toSamples = (ticks: number[]) =>
    ticks
      .map(at)
      .filter((s) => s >= 0 && s <= durationS)
      .map(secondsToSamples);

  const endTicks = Math.ceil(header.secondsToTicks(Math.max(0, durationS - delayMs / 1000))) + header.ppq;
  const beatTicks: number[] = [];
  for (let t = 0; t <= endTicks; t += header.ppq) beatTicks.push(t);

  // Bars follow the time signatures; a chart without one is 4/4, as MIDI defines.
  const sigs = header.timeSignatures.length
    ? [...header.timeSignatures].sort((a, b) => a.ticks - b.ticks)
    : [{ ticks: 0, timeSignature: [4, 4] }];
  const barTicks: number[] = [];
  sigs.forEach((sig, i) => {
    const [num = 4, den = 4] = sig.timeSignature;
    const bar = (num * header.ppq * 4) / den;
    const stop = i + 1 < sigs.length ? sigs[i + 1]!.ticks : endTicks;
    for (let t = sig.ticks; t < stop; t += bar) barTicks.push(t);
  });
  const meters = [...new Set(sigs.map((s) => s.timeSignature.join("/")))];

  // Each distinct tempo with the audio seconds it covers; events at one tick keep the last.
  const events = [...header.tempos].sort((a, b) => a.ticks - b.ticks);
  const spans: { bpm: number; fromS: number; seconds: number }[] = [];
  events.forEach((e, i) => {
    const next = events[i + 1];
    const from = Math.max(0, at(e.ticks));
    const to = Math.min(durationS, next ? at(next.ticks) : durationS);
    if (to > from) spans.push({ bpm: e.bpm, fromS: from, seconds: to - from });
  });
  if (spans.length === 0) spans.push({ bpm: 120, fromS: 0, seconds: durationS }); // MIDI's default
  const byBpm = new Map<number, { bpm: number; fromS: number; seconds: number }>();
  for (const s of spans) {
    const key = Math.round(s.bpm * 1000) / 1000;
    const had = byBpm.get(key);
    byBpm.set(key, had ? { ...had, seconds: had.seconds + s.seconds } : { ...s, bpm: key });
  }
  return {
    tempos: [...byBpm.values()].sort((a, b) => b.seconds - a.seconds),
    meter: header.timeSignatures.length ? meters.join(", ") : "4/4 (none in file)",
    beats: toSamples(beatTicks),
    downbeats: toSamples(barTicks),
    delayMs,
  };
}

/**
 * A check of the truth itself: how far the lead guitar stem's onsets (`aubio onset`) sit from the
 * chart's expert notes (Frets on Fire's "amazing" difficulty, MIDI notes 96–100) placed by the same
 * tempo map and delay. A chart out of step with its audio would show here as a large median.
 */
async function chartCheck(
  song: Song,
  delayMs: number,
): Promise<{ notes: number; medianMs: number; iqr: [number, number] } | null> {
  const guitar = song.stems.find((s) => s.endsWith("guitar.ogg"));
  if (!guitar) return null;
  try {
    const midi = new Midi(await readFile(join(song.dir, "notes.mid")));
    const notes = [
      ...new Set(
        midi.tracks.flatMap((t) => t.notes.filter((n) => n.midi >= 96 && n.midi <= 100).map((n) => n.time)),
      ),
    ].map((t) => t + delayMs / 1000);
    const { stdout } = await run("aubio", ["onset", guitar], { maxBuffer: 1 << 24 });
    const onsets = stdout.split(/\s+/).filter(Boolean).map(Number).filter(Number.isFinite);
    const d: number[] = [];
    for (const t of notes) {
      let best = Number.POSITIVE_INFINITY;
      for (const o of onsets) if (Math.abs(o - t) < Math.abs(best)) best = o - t;
      if (Math.abs(best) <= 0.1) d.push(1000 * best);
    }
    if (d.length === 0) return null;
    d.sort((a, b) => a - b);
    const q = (p: number) => d[Math.floor(p * (d.length - 1))]!;
    return { notes: d.length, medianMs: q(0.5), iqr: [q(0.25), q(0.75)] };
  } catch {
    return null;
  }
}

/** "double" / "half" when the tempo is an octave off the truth, "" when right, "other" otherwise. */
function octave(bpm: number | null, truth: number): string {
  if (bpm === null) return "none";
  const near = (r: number) => Math.abs(bpm / truth - r) <= OCTAVE_TOL * r;
  if (near(1)) return "";
  if (near(2)) return "double";
  if (near(0.5)) return "half";
  if (near(1.5)) return "3:2";
  if (near(2 / 3)) return "2:3";
  return "other";
}

const bpmCell = (bpm: number | null, truth: number) => {
  if (bpm === null) return "none";
  const o = octave(bpm, truth);
  const err = `${f1((100 * Math.abs(bpm - truth)) / truth)} %`;
  return `${f1(bpm)} (${o || err})`;
};

/**
 * Why a beat F is what it is: the F against the truth at other metrical levels (double, half on
 * either phase, off-beat; mir_eval's AMLt idea); where the estimated beats after 5 s fall (within
 * ±70 ms of a truth beat, of the point halfway between two, or elsewhere); the median lag of those
 * on the beat; and the longest run of truth beats after 5 s that no estimate matched.
 */
function diagnose(est: readonly number[], ref: readonly number[], trim = 5 * SAMPLE_RATE) {
  const mids = ref.slice(1).map((r, i) => Math.round((r + ref[i]!) / 2));
  const variants: [string, number[]][] = [
    ["beat", [...ref]],
    ["double", [...ref, ...mids].sort((a, b) => a - b)],
    ["half (odd)", ref.filter((_, i) => i % 2 === 0)],
    ["half (even)", ref.filter((_, i) => i % 2 === 1)],
    ["off-beat", mids],
  ];
  let best = { level: "beat", f: 0 };
  for (const [level, r] of variants) {
    const f = beatFMeasure(est, r, TOL);
    if (f > best.f + 1e-9) best = { level, f };
  }

  const sorted = [...est].filter((b) => b >= trim).sort((a, b) => a - b);
  const where = { on: 0, off: 0, elsewhere: 0 };
  const lags: number[] = [];
  let k = 0;
  for (const b of sorted) {
    while (k + 2 < ref.length && ref[k + 1]! <= b) k++;
    const from = ref[k]!;
    const period = (ref[k + 1] ?? from + 1) - from;
    const d = b - from;
    if (Math.abs(d) <= TOL || Math.abs(period - d) <= TOL) {
      where.on++;
      lags.push(Math.abs(d) <= TOL ? d : d - period);
    } else if (Math.abs(d - period / 2) <= TOL) where.off++;
    else where.elsewhere++;
  }
  lags.sort((a, b) => a - b);
  const lagMs = lags.length ? (1000 * lags[lags.length >> 1]!) / SAMPLE_RATE : Number.NaN;

  let j = 0;
  let gap = { from: 0, to: 0 };
  let cur: { from: number; to: number } | null = null;
  for (const r of ref.filter((x) => x >= trim)) {
    while (j < sorted.length && sorted[j]! < r - TOL) j++;
    if (j < sorted.length && sorted[j]! <= r + TOL) cur = null;
    else {
      cur = cur ? { from: cur.from, to: r } : { from: r, to: r };
      if (cur.to - cur.from > gap.to - gap.from) gap = cur;
    }
  }
  return { best, where, lagMs, gapFrom: gap.from / SAMPLE_RATE, gapTo: gap.to / SAMPLE_RATE };
}

/** The tracker's view of a song, 10 s at a time: why beats are missing, at the wrong octave or off the beat. */
function sections(id: string, samples: Float32Array, truth: Truth): string[] {
  const out: string[] = [];
  const r = analyzeRhythm(samples, SAMPLE_RATE);
  const envelope = r.onsetEnvelope;
  if (!envelope) return out;
  const fr = SAMPLE_RATE / envelope.hopSamples;
  // analyzeRhythm's own tempo range (MIN_BPM, MAX_BPM in src/analysis/rhythm/analyze.ts).
  const tempo = trackTempo(envelope.values, fr, { minBpm: 60, maxBpm: 200 });
  const atS = (frame: number) => (envelope.offsetSamples + frame * envelope.hopSamples) / SAMPLE_RATE;
  const ref = truth.beats;
  out.push(`\n${id} (chart ${truth.tempos[0]!.bpm} BPM), 10 s at a time:\n`);
  out.push(
    "| from s | clarity min–mean (gate 0.3) | tempogram BPM | beats placed | their BPM | on / off-beat / elsewhere |",
  );
  out.push("|---|---|---|---|---|---|");
  const end = samples.length / SAMPLE_RATE;
  for (let a = 0; a < end; a += 10) {
    const ws = tempo.windows.filter((w) => atS(w.center) >= a && atS(w.center) < a + 10);
    if (ws.length === 0) continue;
    const cl = ws.map((w) => w.clarity);
    const path = ws.map((w) => (60 * fr) / tempo.periodAt[w.center]!);
    const bs = r.beats.filter((b) => b >= a * SAMPLE_RATE && b < (a + 10) * SAMPLE_RATE);
    const ibis = bs
      .slice(1)
      .map((b, i) => b - bs[i]!)
      .sort((x, y) => x - y);
    const where = diagnose(bs, ref, 0).where;
    out.push(
      `| ${a} | ${f2(Math.min(...cl))}–${f2(cl.reduce((x, y) => x + y, 0) / cl.length)} | ${Math.round(Math.min(...path))}–${Math.round(Math.max(...path))} | ${bs.length} | ${ibis.length ? Math.round((60 * SAMPLE_RATE) / ibis[ibis.length >> 1]!) : "—"} | ${bs.length ? `${where.on} / ${where.off} / ${where.elsewhere}` : "—"} |`,
    );
  }
  return out;
}

async function main(): Promise<void> {
  const songs = existsSync(ROOT) ? findSongs() : [];
  if (songs.length === 0) {
    console.log(
      `real-songs: no Frets on Fire song packs under ${ROOT}; skipped (apt-get install -y fretsonfire-songs-muldjord fretsonfire-songs-sectoid)`,
    );
    return;
  }
  const tools = findTools();
  console.log(
    `# real recordings: ${songs.length} songs from ${ROOT} — ${new Date().toISOString()} — load ${loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}\n`,
  );
  const rows: string[] = [];
  const notes: string[] = [];
  const detail: string[] = [];
  const checks: string[] = [];
  const sums = { f: 0, fa: 0, df: 0, ours: 0, theirs: 0, tempo: 0, tempoA: 0, n: 0, nA: 0 };
  for (const song of songs) {
    const file = await mix(tools, song);
    const durationS = (await probe(tools, file)).durationS;
    const truth = await truthOf(song, durationS);
    const bpm = truth.tempos[0]!.bpm;
    console.error(
      `${song.id}: ${song.stems.length} stems, ${f1(durationS)} s, tempo map ${truth.tempos
        .map((t) => `${t.bpm} BPM (${f1(t.seconds)} s from ${f1(t.fromS)} s)`)
        .join(", ")}, meter ${truth.meter}, delay ${truth.delayMs} ms, ${truth.beats.length} beats`,
    );
    const check = await chartCheck(song, truth.delayMs);
    checks.push(
      `| ${song.id} | ${truth.tempos.map((t) => `${t.bpm} BPM from ${f1(t.fromS)} s`).join(", ")} | ${truth.meter} | ${truth.delayMs} | ${song.stems.length} | ${truth.beats.length} | ${check ? `${check.notes}: ${f1(check.medianMs)} (${f1(check.iqr[0])} to ${f1(check.iqr[1])})` : "—"} |`,
    );
    const t0 = performance.now();
    const { analysis, samples } = await analyzeSong(tools, file);
    const seconds = (performance.now() - t0) / 1000;
    const base = await aubio(file);
    if (process.argv.includes("--sections")) detail.push(...sections(song.id, samples, truth));
    const f = beatFMeasure(analysis.beats, truth.beats, TOL);
    const fa = base ? beatFMeasure(base.beats, truth.beats, TOL) : null;
    const df = beatFMeasure(analysis.downbeats, truth.downbeats, TOL);
    sums.f += f;
    sums.df += df;
    sums.ours += seconds;
    sums.n++;
    // "Right" = within 2 % of the chart tempo, the octave test's own tolerance.
    if (analysis.tempoBpm !== null && octave(analysis.tempoBpm, bpm) === "") sums.tempo++;
    if (base && base.bpm !== null && octave(base.bpm, bpm) === "") sums.tempoA++;
    if (base && fa !== null) {
      sums.fa += fa;
      sums.theirs += base.seconds;
      sums.nA++;
    }
    rows.push(
      `| ${song.id} | ${truth.tempos.map((t) => f1(t.bpm)).join(", ")} | ${truth.meter}; ours ${analysis.meter ?? "—"} | ${bpmCell(analysis.tempoBpm, bpm)} | ${f2(f)} | ${base ? bpmCell(base.bpm, bpm) : "—"} | ${fa === null ? "—" : f2(fa)} | ${f2(df)} | ${f2(seconds)} | ${base ? f2(base.seconds) : "—"} |`,
    );
    const d = diagnose(analysis.beats, truth.beats);
    const da = base ? diagnose(base.beats, truth.beats) : null;
    const gap = (x: ReturnType<typeof diagnose>) =>
      x.gapTo > x.gapFrom ? `${f1(x.gapFrom)}–${f1(x.gapTo)} s` : "none";
    const split = (x: ReturnType<typeof diagnose>) => {
      const n = Math.max(1, x.where.on + x.where.off + x.where.elsewhere);
      return `${Math.round((100 * x.where.on) / n)} / ${Math.round((100 * x.where.off) / n)} / ${Math.round((100 * x.where.elsewhere) / n)}`;
    };
    notes.push(
      `| ${song.id} | ${analysis.beats.length} / ${truth.beats.length} | ${split(d)} | ${f1(d.lagMs)} | ${d.best.level} ${f2(d.best.f)} | ${gap(d)} | ${da ? split(da) : "—"} | ${da ? f1(da.lagMs) : "—"} | ${da ? `${da.best.level} ${f2(da.best.f)}` : "—"} | ${da ? gap(da) : "—"} | ${analysis.warnings.join("; ") || "—"} |`,
    );
  }
  console.log(
    "| song | chart tempo map | time signature | delay ms | stems mixed | truth beats | guitar onset − chart note ms: notes within ±100 ms: median (quartiles) |",
  );
  console.log("|---|---|---|---|---|---|---|");
  for (const c of checks) console.log(c);
  console.log("");
  console.log(
    "| song | truth BPM | meter (truth; ours) | our BPM | our beat F | aubio BPM | aubio beat F | our downbeat F | time ours s | time aubio s |",
  );
  console.log("|---|---|---|---|---|---|---|---|---|---|");
  for (const r of rows) console.log(r);
  console.log(
    `| **mean (${sums.n} songs)** | | | ${sums.tempo}/${sums.n} within 2 % | **${f2(sums.f / sums.n)}** | ${sums.tempoA}/${sums.nA} within 2 % | **${sums.nA ? f2(sums.fa / sums.nA) : "—"}** | ${f2(sums.df / sums.n)} | ${f2(sums.ours)} total | ${sums.nA ? `${f2(sums.theirs)} total` : "—"} |`,
  );
  console.log(
    "\nBPM cells: the tempo, then its error against the dominant chart tempo, or the octave error (double/half; 3:2, 2:3).",
  );
  console.log(
    "Time: analyzeSong wall seconds (probe, decode, beats, voice detection); aubio: `aubio beat` + `aubio tempo` wall seconds.\n",
  );
  console.log(
    "| song | ours: beats / truth beats | ours: on / off-beat / elsewhere % | ours: on-beat lag ms | ours: best level, F | ours: longest unmatched stretch | aubio: on / off-beat / elsewhere % | aubio: on-beat lag ms | aubio: best level, F | aubio: longest unmatched stretch | our warnings |",
  );
  console.log("|---|---|---|---|---|---|---|---|---|---|---|");
  for (const n of notes) console.log(n);
  console.log(
    "\nOn / off-beat / elsewhere: where the estimated beats after 5 s fall — within ±70 ms of a truth beat, of the point halfway between two, or neither. Lag: median of estimate − truth beat over those on the beat (positive = late).",
  );
  console.log(
    "Best level: the highest F against the truth beats, the truth at double tempo, at half tempo (either phase) or shifted half a beat (off-beat). Unmatched stretch: first to last truth beat after 5 s of the longest run with no estimate within ±70 ms.",
  );
  for (const line of detail) console.log(line);
}

await main();
