// The baseline beat tracker for the benchmarks: Debian's aubio-tools run on a file, its beats and tempo read back.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { secondsToSamples } from "../src/time/index.js";

const run = promisify(execFile);

export interface AubioResult {
  /** Beat positions, 48 kHz samples. */
  beats: number[];
  bpm: number | null;
  /** Wall seconds of `aubio beat` alone, and of `aubio beat` + `aubio tempo`. */
  beatSeconds: number;
  seconds: number;
}

/** `aubio beat` and `aubio tempo` on the file, or null when aubio is not installed or fails. */
export async function aubio(file: string): Promise<AubioResult | null> {
  try {
    const t0 = performance.now();
    const { stdout } = await run("aubio", ["beat", file], { maxBuffer: 1 << 24 });
    const beatSeconds = (performance.now() - t0) / 1000;
    const { stdout: t } = await run("aubio", ["tempo", file]);
    const seconds = (performance.now() - t0) / 1000;
    const beats = stdout
      .split(/\s+/)
      .filter(Boolean)
      .map(Number)
      .filter(Number.isFinite)
      .map(secondsToSamples);
    const bpm = Number.parseFloat(t.trim().split(/\s+/)[0] ?? "");
    return { beats, bpm: Number.isFinite(bpm) ? bpm : null, beatSeconds, seconds };
  } catch {
    return null;
  }
}
