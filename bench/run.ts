// `npm run bench`: runs the benchmarks one after another and prints each one's figures.
//
// Run: npm run bench [-- NAME …]   e.g. npm run bench -- render engine
// Each benchmark compares against a baseline measured in the same run (ratios), because this
// machine is shared and noisy; docs/BENCHMARKS.md records the figures with the command and date.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";

const BENCHES = [
  "demo",
  "analysis",
  "rhythm",
  "real-songs",
  "lyrics",
  "plan",
  "render",
  "sync",
  "engine",
  "comfyui",
  "postgres",
] as const;

const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !(BENCHES as readonly string[]).includes(w));
if (unknown.length) {
  console.error(`unknown benchmark(s): ${unknown.join(", ")} — choose from ${BENCHES.join(", ")}`);
  process.exit(2);
}
const list = wanted.length ? wanted : [...BENCHES];
console.log(
  `# refrain benchmarks — ${new Date().toISOString()} — ${cpus().length} cores, load ${loadavg()[0]!.toFixed(1)}`,
);
let failed = 0;
for (const name of list) {
  const file = join(import.meta.dirname, `${name}.ts`);
  if (!existsSync(file)) continue;
  console.log(`\n## ${name}  (npx tsx bench/${name}.ts)`);
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ["--import", "tsx", file], { stdio: "inherit" });
  console.log(
    `## ${name}: ${r.status === 0 ? "done" : `FAILED (${r.status ?? r.signal})`} in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
