// The worker module's public surface: the pg-boss take queue and `refrain worker` processes that drain it.
export type { QueueOptions, TakeJobData, TakeJobResult, TakeJobState } from "./queue.js";
export {
  enqueueTakes,
  keepTakeJobAlive,
  openQueue,
  queuedTakeJob,
  TAKE_EXPIRE_SECONDS,
  TAKE_HEARTBEAT_MS,
  TAKE_QUEUE,
  TAKE_RETRY_LIMIT,
  takeJobState,
  takeKey,
} from "./queue.js";
export type { Worker, WorkerEvent, WorkerOptions } from "./worker.js";
export { isConnectionError, startWorker } from "./worker.js";
