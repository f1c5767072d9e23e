// Scores the beat tracker on real studio recordings with authored tempo maps (Frets on Fire song packs), beside aubio.
//
// Run: npx tsx bench/real-songs.ts [--sections] [--sung [--build]]
//   --sections  also print, per 10 s of each song, what the tracker saw: the tempogram's pulse
//               clarity and tempo path, and how many beats it placed, at what tempo, on or off the beat
//   --sung      only the second part (run after the beat table by default): a sung voice with exact
//               word times over 70 s of each Sectoid recording, planned as bench/plan.ts plans the
//               evaluation set (see `sung` below); --build rebuilds those songs
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
import { voicingScore } from "../src/analysis/voice/index.js";
import { withTempOutput } from "../src/files/index.js";
import { decodeMono, findTools, probe, runFfmpeg, type Tools } from "../src/media/index.js";
import { SAMPLE_RATE, secondsToSamples } from "../src/time/index.js";
import { aubio } from "./aubio.js";
import { buildSongs, type SongSpec } from "./evalset/build.js";
import {
  IT,
  IT_TRANSITION,
  LYRIC_MODES,
  type LyricsMode,
  leastWaste,
  median,
  type PlanTruth,
  planScored,
  SetFigures,
} from "./evalset/score.js";

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
const f3 = (x: number) => x.toFixed(3);
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

async function beatTable(songs: Song[]): Promise<void> {
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

/**
 * The sung songs: 70 s of each Sectoid recording (instrumental: Silero hears no voice in them), from
 * the first chart downbeat at or after `fromS` — where the full band with drums has come in, past the
 * intro (escape-from-chaosland and war-of-freedom open softer for ~15 s, feelings plays a clean
 * ~45 s intro, metal-madness starts loud after 5 s). Two sung in English, two in Mandarin.
 */
const SUNG: { song: string; lang: "en" | "cmn"; fromS: number }[] = [
  { song: "sectoid-escape-from-chaosland", lang: "en", fromS: 20 },
  { song: "sectoid-feelings", lang: "cmn", fromS: 45 },
  { song: "sectoid-metal-madness", lang: "en", fromS: 10 },
  { song: "sectoid-war-of-freedom", lang: "cmn", fromS: 20 },
];
const SUNG_SECONDS = 70;
/** The voice's RMS over its sung frames against the backing's over the same frames: on top, as in a pop mix. */
const VOICE_OVER_DB = 3;
const SUNG_DIR = join(OUT, "sung");
const sungId = (s: (typeof SUNG)[number]) => `${s.song.replace(/^sectoid-/, "")}-${s.lang}`;

interface SungTruth extends PlanTruth {
  backing: string;
  language: string;
  tempo_map: { bpm: number }[];
  vocal_intervals_s: [number, number][];
  lines: unknown[];
}

/**
 * Builds the sung songs into bench/out/real-songs/sung/ (once): the recording's 70 s section at
 * 48 kHz mono as the backing, the chart's beats and downbeats in it as the truth, and the evaluation
 * set's voice over it (bench/evalset/build.ts: espeak-ng words on half-beats from the chart's
 * downbeats, a bar of rest between lines, words and vocal intervals known from construction).
 */
async function buildSung(tools: Tools, songs: Song[]): Promise<void> {
  const specs: SongSpec[] = [];
  for (const s of SUNG) {
    const song = songs.find((x) => x.id === s.song);
    if (!song) continue;
    const file = await mix(tools, song);
    const truth = await truthOf(song, (await probe(tools, file)).durationS);
    const samples = await decodeMono(tools, file);
    const start = truth.downbeats.find((d) => d >= secondsToSamples(s.fromS));
    const n = SUNG_SECONDS * SAMPLE_RATE;
    if (start === undefined || start + n > samples.length)
      throw new Error(`${s.song}: no ${SUNG_SECONDS} s from ${s.fromS} s`);
    const inside = (xs: number[]) =>
      xs.filter((x) => x >= start && x < start + n).map((x) => (x - start) / SAMPLE_RATE);
    // Every Sectoid chart is one tempo in 4/4 (truthOf's table), so one tempo entry describes the section.
    specs.push({
      id: sungId(s),
      duration: SUNG_SECONDS,
      tempo: [{ at: 0, bpm: truth.tempos[0]!.bpm }],
      meter: 4,
      lang: s.lang,
      format: "wav",
      sampleRate: 44_100,
      backing: {
        source: `${song.dir.split("/").slice(-2).join("/")} ${f2(start / SAMPLE_RATE)}–${f2((start + n) / SAMPLE_RATE)} s`,
        pcm: samples.slice(start, start + n),
        beats: inside(truth.beats),
        downbeats: inside(truth.downbeats),
        voiceOverDb: VOICE_OVER_DB,
      },
    });
  }
  await buildSongs(specs, SUNG_DIR);
}

/**
 * Detected voice outside the true vocal intervals (pieces of at least 0.1 s), told apart by where
 * they sit: running on after a sung line ends, starting before one, or alone (no line touches it).
 */
function falseVoice(est: readonly { start: number; end: number }[], ref: [number, number][]) {
  const pieces: [number, number][] = [];
  for (const e of est) {
    let from = e.start / SAMPLE_RATE;
    const to = e.end / SAMPLE_RATE;
    for (const [a, b] of ref) {
      if (b <= from || a >= to) continue;
      if (a > from) pieces.push([from, a]);
      from = Math.max(from, b);
    }
    if (to > from) pieces.push([from, to]);
  }
  const touches = (t: number, ends: number[]) => ends.some((x) => Math.abs(x - t) < 0.011);
  const out = { after: [] as number[], before: [] as number[], alone: [] as string[] };
  for (const [a, b] of pieces.filter(([a, b]) => b - a >= 0.1)) {
    if (
      touches(
        a,
        ref.map((r) => r[1]),
      )
    )
      out.after.push(b - a);
    else if (
      touches(
        b,
        ref.map((r) => r[0]),
      )
    )
      out.before.push(b - a);
    else out.alone.push(`${f2(a)}–${f2(b)}`);
  }
  return out;
}

/** Each cut as "t: ±ms to the chart's beat (fraction of a beat) / ms to ours" — a cut off the chart but on our beat is the tracker's. */
function offBeatCuts(cuts: readonly number[], ours: readonly number[], chartS: readonly number[]): string {
  const chart = chartS.map(secondsToSamples);
  return cuts
    .map((c) => {
      let k = 0;
      for (let i = 1; i < chart.length; i++) if (Math.abs(chart[i]! - c) < Math.abs(chart[k]! - c)) k = i;
      const d = c - chart[k]!;
      const period = (chart[k + 1] ?? chart[k]! + 1) - chart[k]!;
      const toOurs = Math.min(...ours.map((b) => Math.abs(b - c)));
      const ms = (x: number) => Math.round((1000 * x) / SAMPLE_RATE);
      return `${f2(c / SAMPLE_RATE)}: ${d >= 0 ? "+" : ""}${ms(d)} (${f2(d / period)}) / ${ms(toOurs)}`;
    })
    .join("; ");
}

/**
 * A sung voice with exact word times over real recordings, measured as bench/plan.ts measures the
 * evaluation set: each song analysed as the CLI does with each kind of lyrics (none, LRC, exact and
 * rough Suno aligned words), planned for InfiniteTalk with 0.32 s crossfades, its cuts scored against
 * the true words and the chart's beats, its waste against the least any plan could reach; without
 * lyrics also the detected voice against the true vocal intervals (10 ms frames) and the beats.
 */
async function sung(songs: Song[]): Promise<void> {
  const tools = findTools();
  const have = SUNG.filter((s) => songs.some((x) => x.id === s.song));
  if (have.length === 0) {
    console.log(
      `real-songs --sung: no Sectoid pack under ${ROOT}; skipped (apt-get install -y fretsonfire-songs-sectoid)`,
    );
    return;
  }
  if (
    process.argv.includes("--build") ||
    !have.every((s) => existsSync(join(SUNG_DIR, `${sungId(s)}.backing.wav`)))
  ) {
    const t0 = performance.now();
    await buildSung(tools, songs);
    console.error(
      `built ${have.length} sung songs in ${f1((performance.now() - t0) / 1000)} s → ${SUNG_DIR}`,
    );
  }
  console.log(
    `\n# Sung voice over real recordings: ${have.length} songs in ${SUNG_DIR} — ${new Date().toISOString()} — load ${loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}\n`,
  );
  const truths: SungTruth[] = [];
  for (const s of have)
    truths.push(JSON.parse(await readFile(join(SUNG_DIR, `${sungId(s)}.json`), "utf8")) as SungTruth);
  console.log(
    "| song | language | section of the recording | chart BPM | lines / words | sung seconds (vocal truth) | voice over backing |",
  );
  console.log("|---|---|---|---|---|---|---|");
  for (const t of truths) {
    const sungS = t.vocal_intervals_s.reduce((n, [a, b]) => n + b - a, 0);
    console.log(
      `| ${t.id} | ${t.language} | ${t.backing} | ${t.tempo_map[0]?.bpm} | ${t.lines.length} / ${t.words.length} | ${f1(sungS)} of ${SUNG_SECONDS} | +${VOICE_OVER_DB} dB RMS |`,
    );
  }
  console.log(
    "\nInfiniteTalk (25 fps, 81 + 72k frames), 0.32 s crossfades; cuts scored against the true words, beats against the chart\n",
  );
  console.log(
    "| song | lyrics given | vocal source | cuts | cuts in words | closest cut to a word ms | median cut→beat ms | waste | least waste possible | beat F (±70 ms) | vocal frame acc / recall / false alarm | detected voice outside the truth (≥ 0.1 s): after a line / before a line / alone |",
  );
  console.log("|---|---|---|---|---|---|---|---|---|---|---|---|");
  const all = Object.fromEntries(LYRIC_MODES.map((m) => [m, new SetFigures()])) as Record<
    LyricsMode,
    SetFigures
  >;
  const voice = { acc: 0, recall: 0, fa: 0, n: 0 };
  const beatF: number[] = [];
  const offBeat: string[] = [];
  const withVoice = new Map<string, string>();
  for (const truth of truths) {
    const ref = truth.vocal_intervals_s.map(([a, b]) => ({
      start: secondsToSamples(a),
      end: secondsToSamples(b),
    }));
    let bound: ReturnType<typeof leastWaste> | undefined;
    for (const lyrics of LYRIC_MODES) {
      const { analysis, plan, score } = await planScored(tools, SUNG_DIR, truth, lyrics);
      // The least any plan could waste with the planner's default 4–15 s segments and 8-frame crossfades.
      bound ??= leastWaste(truth, analysis.durationSamples, IT, IT_TRANSITION, 100, 375);
      all[lyrics].add(plan, score, bound);
      const f = beatFMeasure(analysis.beats, truth.beats_s.map(secondsToSamples), TOL);
      let vocal = "—";
      let outside = "—";
      if (lyrics === "none") {
        const v = voicingScore(analysis.vocal, ref, analysis.durationSamples);
        voice.acc += v.accuracy;
        voice.recall += v.recall;
        voice.fa += v.falseAlarm;
        voice.n++;
        beatF.push(f);
        withVoice.set(
          truth.id,
          `${bpmCell(analysis.tempoBpm, truth.tempo_map[0]!.bpm)}, F ${f2(f)}, ${analysis.warnings.join("; ") || "no warning"}`,
        );
        vocal = `${f3(v.accuracy)} / ${f3(v.recall)} / ${f3(v.falseAlarm)}`;
        const o = falseVoice(analysis.vocal, truth.vocal_intervals_s);
        const range = (xs: number[]) =>
          xs.length ? ` (${f2(Math.min(...xs))}–${f2(Math.max(...xs))} s)` : "";
        outside = `${o.after.length}${range(o.after)} / ${o.before.length}${range(o.before)} / ${o.alone.length ? o.alone.join(", ") : "0"}`;
      }
      const where = score.inWord.map((w) => `"${w.word}" ${f2(w.startS)}–${f2(w.endS)} cut ${f2(w.cutS)}`);
      const beat = median(score.beatMs);
      if (beat > 40)
        offBeat.push(
          `| ${truth.id} | ${lyrics} | ${f1(beat)} | ${offBeatCuts(plan.cuts, analysis.beats, truth.beats_s)} |`,
        );
      console.log(
        `| ${truth.id} | ${lyrics} | ${analysis.vocalSource} | ${score.cuts} | ${score.inWord.length}${where.length ? ` (${where.join("; ")})` : ""} | ` +
          `${score.clearanceMs.toFixed(0)} | ${f1(beat)} | ${score.wasteRatio.toFixed(4)} | ${bound.wasteRatio.toFixed(4)} | ${f2(f)} | ${vocal} | ${outside} |`,
      );
    }
  }
  if (offBeat.length) {
    console.log(
      "\nWhere the median cut→beat is over 40 ms: each cut, its distance to the nearest chart beat (in beats), and to our nearest beat\n",
    );
    console.log("| song | lyrics given | median ms | cut s: to chart beat ms (beats) / to our beat ms |");
    console.log("|---|---|---|---|");
    for (const row of offBeat) console.log(row);
  }
  console.log(
    "\nThe voice's effect on the tracker: the same sections without it (`<id>.backing.wav`), analysed as the CLI does, no lyrics\n",
  );
  console.log(
    "| song | chart BPM | with the voice: our BPM, beat F, warnings | band alone: our BPM, beat F, warnings | band alone: voice detected s |",
  );
  console.log("|---|---|---|---|---|");
  for (const truth of truths) {
    const { analysis } = await analyzeSong(tools, join(SUNG_DIR, `${truth.id}.backing.wav`));
    const f = beatFMeasure(analysis.beats, truth.beats_s.map(secondsToSamples), TOL);
    const heard = analysis.vocal.reduce((n, v) => n + v.end - v.start, 0) / SAMPLE_RATE;
    const bpm = truth.tempo_map[0]!.bpm;
    console.log(
      `| ${truth.id} | ${bpm} | ${withVoice.get(truth.id)} | ${bpmCell(analysis.tempoBpm, bpm)}, F ${f2(f)}, ${analysis.warnings.join("; ") || "no warning"} | ${f2(heard)} |`,
    );
  }
  console.log(`\n| lyrics given | ${SetFigures.HEADER} |`);
  console.log(`|---|${SetFigures.RULE}`);
  for (const lyrics of LYRIC_MODES) console.log(`| ${lyrics} | ${all[lyrics].row()} |`);
  console.log(
    `\nNo lyrics, over the ${voice.n} songs: vocal frame accuracy ${f3(voice.acc / voice.n)}, recall ${f3(voice.recall / voice.n)}, false alarm ${f3(voice.fa / voice.n)} (10 ms frames); beat F ${f2(beatF.reduce((p, q) => p + q, 0) / beatF.length)} (${beatF.map(f2).join(", ")}).`,
  );
  console.log(
    `load at end ${loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}`,
  );
}

const songs = existsSync(ROOT) ? findSongs() : [];
if (songs.length === 0) {
  console.log(
    `real-songs: no Frets on Fire song packs under ${ROOT}; skipped (apt-get install -y fretsonfire-songs-muldjord fretsonfire-songs-sectoid)`,
  );
} else {
  if (!process.argv.includes("--sung")) await beatTable(songs);
  await sung(songs);
}
