// Finding ffmpeg and ffprobe, and checking once that they can do what refrain needs.
import { spawnSync } from "node:child_process";
import { MediaError } from "../errors/index.js";

export interface Tools {
  readonly ffmpeg: string;
  readonly ffprobe: string;
}

/** ffmpeg filters refrain's render, sync and analysis use. */
export const REQUIRED_FILTERS = [
  "xfade",
  "zoompan",
  "subtitles",
  "ass",
  "freezedetect",
  "blackdetect",
  "colorchannelmixer",
  "eq",
  "scale",
  "pad",
  "crop",
  "fade",
  "concat",
  "aresample",
  "showwavespic",
  "tpad",
  "lutyuv",
] as const;

export const MIN_FFMPEG_MAJOR = 5;

export const INSTALL_HINT =
  "install ffmpeg ≥ 5 (Debian/Ubuntu: sudo apt-get install ffmpeg; macOS: brew install ffmpeg) or set REFRAIN_FFMPEG and REFRAIN_FFPROBE";

/** Where ffmpeg and ffprobe are: REFRAIN_FFMPEG / REFRAIN_FFPROBE, else whatever PATH finds. */
export function findTools(env: NodeJS.ProcessEnv = process.env): Tools {
  return { ffmpeg: env.REFRAIN_FFMPEG || "ffmpeg", ffprobe: env.REFRAIN_FFPROBE || "ffprobe" };
}

export interface ToolReport {
  readonly ffmpeg: string;
  readonly ffprobe: string;
  readonly version: string;
  readonly major: number;
  readonly missingFilters: string[];
  readonly encoders: { libx264: boolean; aac: boolean };
}

/** Parses the version line of `ffmpeg -version`: "ffmpeg version 5.1.9-0+deb12u1 …" → "5.1.9-0+deb12u1", 5. */
export function parseVersion(text: string): { version: string; major: number } {
  const m = /version\s+n?(\S+)/.exec(text);
  const version = m?.[1] ?? "unknown";
  const major = Number(/^(\d+)/.exec(version)?.[1] ?? Number.NaN);
  return { version, major };
}

/** Names of the filters in `ffmpeg -filters` output. */
export function parseFilterNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split("\n")) {
    const m = /^\s[.A-Z|]{2,3}\s+(\w+)\s/.exec(line);
    if (m?.[1]) names.add(m[1]);
  }
  return names;
}

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 16 * 1024 * 1024 });
  if (r.error)
    throw new MediaError(`cannot run ${cmd}: ${(r.error as NodeJS.ErrnoException).code ?? r.error.message}`, {
      hint: INSTALL_HINT,
      cause: r.error,
    });
  if (r.status !== 0)
    throw new MediaError(`${cmd} ${args.join(" ")} exited with ${r.status}`, {
      hint: INSTALL_HINT,
      stderrTail: r.stderr.slice(-2000),
    });
  return r.stdout;
}

/** Runs the tools once and reports their version, missing filters and encoders. */
export function inspectTools(tools: Tools): ToolReport {
  const { version, major } = parseVersion(run(tools.ffmpeg, ["-hide_banner", "-version"]));
  run(tools.ffprobe, ["-hide_banner", "-version"]);
  const filters = parseFilterNames(run(tools.ffmpeg, ["-hide_banner", "-filters"]));
  const encoders = run(tools.ffmpeg, ["-hide_banner", "-encoders"]);
  return {
    ffmpeg: tools.ffmpeg,
    ffprobe: tools.ffprobe,
    version,
    major,
    missingFilters: REQUIRED_FILTERS.filter((f) => !filters.has(f)),
    encoders: { libx264: /\blibx264\b/.test(encoders), aac: /\baac\b/.test(encoders) },
  };
}

const checked = new Map<string, ToolReport>();

/** Checks the tools once per process; throws one clear MediaError when they cannot do the job. */
export function checkTools(tools: Tools): ToolReport {
  const key = `${tools.ffmpeg}\0${tools.ffprobe}`;
  const cached = checked.get(key);
  if (cached) return cached;
  const report = inspectTools(tools);
  if (!(report.major >= MIN_FFMPEG_MAJOR)) {
    throw new MediaError(`ffmpeg ${report.version} is too old (refrain needs ${MIN_FFMPEG_MAJOR} or newer)`, {
      hint: INSTALL_HINT,
    });
  }
  if (report.missingFilters.length > 0) {
    throw new MediaError(`ffmpeg at ${tools.ffmpeg} lacks the filters ${report.missingFilters.join(", ")}`, {
      hint: INSTALL_HINT,
    });
  }
  if (!report.encoders.libx264 || !report.encoders.aac) {
    throw new MediaError(`ffmpeg at ${tools.ffmpeg} lacks the libx264 or aac encoder`, {
      hint: INSTALL_HINT,
    });
  }
  checked.set(key, report);
  return report;
}
