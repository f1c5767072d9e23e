// The server module's public surface: `refrain review`'s local page over one project.
export type { ReviewMarks } from "./marks.js";
export { readMarks } from "./marks.js";
export { openBrowser } from "./open.js";
export { waveformPeaks } from "./peaks.js";
export type { JobKind, JobStatus, JobView, ReviewServer, ReviewServerOptions } from "./server.js";
export { startReviewServer } from "./server.js";
