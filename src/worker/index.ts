// The worker module's public surface: the pg-boss take queue and `refrain worker` processes that drain it.
export type { QueueOptions, TakeJobData, TakeJobResult } from "./queue.js";
export {
  enqueueTakes,
  openQueue,
  TAKE_EXPIRE_SECONDS,
  TAKE_QUEUE,
  TAKE_RETRY_LIMIT,
  takeKey,
} from "./queue.js";
export type { Worker, WorkerEvent, WorkerOptions } from "./worker.js";
export { isConnectionError, startWorker } from "./worker.js";
