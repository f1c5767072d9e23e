// A generation run to kill at random instants: the crash test (and bench/engine.ts) spawn and SIGKILL it.
//
// Usage: node --import tsx crash-child.ts <projectDir> <providerBook.db> <jobs> [slots]
// The fake provider keeps its jobs in its own SQLite file, so submissions are counted outside the
// store and remote jobs keep "running" while this process is dead, as a real provider's would.
import { openSqliteStore } from "../store/index.js";
import { generate } from "./run.js";
import { fakeJobs, fakeProvider, fileBook } from "./testing.js";

const [projectDir, bookPath, jobCount, slots] = process.argv.slice(2);
if (!projectDir || !bookPath || !jobCount) {
  process.stderr.write("usage: crash-child.ts <projectDir> <providerBook.db> <jobs> [slots]\n");
  process.exit(2);
}
const store = openSqliteStore(projectDir);
const book = fileBook(bookPath);
const provider = fakeProvider({
  now: Date.now,
  book,
  concurrency: Number(slots ?? 4),
  // 10–40 ms per job, varied by segment and seed so kills land in every phase.
  latencyMs: (job) => 10 + ((job.segment * 7919 + job.seed) % 31),
});
process.stdout.write("started\n");
const report = await generate({
  store,
  providers: [provider],
  jobs: fakeJobs(Number(jobCount)),
  pollIntervalMs: 3,
  retryBaseMs: 5,
});
await store.close();
book.close();
process.stdout.write(`${JSON.stringify(report)}\n`);
process.exit(report.succeeded.length === Number(jobCount) ? 0 : 1);
