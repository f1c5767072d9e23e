// One `refrain worker` process for bench/postgres.ts: the real worker, with a fake provider whose job book is a shared file.
import { fakeProvider, fileBook } from "../src/engine/testing.js";
import { startWorker } from "../src/worker/index.js";

const [url, queueSchema, bookPath, latency, concurrency] = process.argv.slice(2);
const provider = fakeProvider({
  now: Date.now,
  latencyMs: Number(latency),
  concurrency: 64,
  book: fileBook(bookPath!),
});
const worker = await startWorker({
  url: url!,
  queueSchema,
  concurrency: Number(concurrency),
  pollMs: 100,
  providers: async () => [provider],
  engine: { pollIntervalMs: 50, retryBaseMs: 100 },
  onEvent: (e) => {
    if (
      e.type === "done" ||
      e.type === "database-lost" ||
      e.type === "database-back" ||
      e.type === "returned"
    )
      process.stdout.write(`${JSON.stringify(e)}\n`);
  },
});
for (const sig of ["SIGTERM", "SIGINT"] as const) process.once(sig, () => void worker.stop());
await worker.stopped;
provider.book.close();
