// How much memory this process's ffmpeg children hold at once, sampled from /proc (Linux only).
import { readdir, readFile } from "node:fs/promises";

export interface MemoryWatch {
  /** Stops sampling; the peak in MiB, or undefined where /proc cannot tell. */
  stop(): number | undefined;
}

/**
 * Samples, every `intervalMs`, the sum over the ffmpeg children alive at that moment of each one's
 * high-water resident memory (VmHWM): a render that runs two ffmpeg at once counts both, and a peak
 * between two samples is not missed, so the figure errs high, never low.
 */
export function watchFfmpegMemory(intervalMs = 100): MemoryWatch {
  if (process.platform !== "linux") return { stop: () => undefined };
  let peakKiB = 0;
  let busy = false;
  const sample = async () => {
    if (busy) return;
    busy = true;
    try {
      let sum = 0;
      for (const t of await readdir(`/proc/${process.pid}/task`)) {
        const children = await readFile(`/proc/${process.pid}/task/${t}/children`, "utf8").catch(() => "");
        for (const pid of children.split(/\s+/).filter(Boolean)) {
          const status = await readFile(`/proc/${pid}/status`, "utf8").catch(() => "");
          if (/^Name:\s*ffmpeg/m.test(status)) sum += Number(/^VmHWM:\s*(\d+)/m.exec(status)?.[1] ?? 0);
        }
      }
      peakKiB = Math.max(peakKiB, sum);
    } catch {
      // /proc unavailable: no memory figure.
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(sample, intervalMs);
  timer.unref();
  return {
    stop: () => {
      clearInterval(timer);
      return peakKiB > 0 ? Math.round((peakKiB / 1024) * 10) / 10 : undefined;
    },
  };
}
