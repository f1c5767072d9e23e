// The review server's API as the page sees it: typed views, token handling, one error line per failure.

export interface ProjectView {
  name: string;
  provider: string;
  fps: number;
  segments: number;
  durationS: number;
  song: string;
  budgetUsd: number | null;
}

export interface AnalysisView {
  durationS: number;
  tempoBpm: number | null;
  peaks: number[];
  beats: number[];
  downbeats: number[];
  sections: { name: string; kind: string; start: number; end: number }[];
  lines: { text: string; start: number; end: number }[];
  vocal: { start: number; end: number }[];
  warnings: string[];
}

export interface TakeView {
  id: string;
  status: string;
  seed: number;
  provider: string;
  model: string;
  estimatedUsd: number;
  actualUsd: number | null;
  picked: boolean;
  rejected: boolean;
  stale: boolean;
  failureReason: string | null;
  offsetMs: number | null;
  media: string | null;
}

export interface SegmentView {
  index: number;
  start: number;
  end: number;
  frames: number;
  handleBeforeS: number;
  kind: string;
  section: string | null;
  locked: boolean;
  pickedTakeId: string | null;
  estimatedUsd: number;
  takes: TakeView[];
}

export interface CostView {
  spentUsd: number;
  reservedUsd: number;
  estimatedUsd: number;
  budgetUsd: number | null;
  usdPerAcceptedSecond: number | null;
  takes: { succeeded: number; failed: number; picked: number };
}

export interface JobView {
  id: string;
  kind: "reroll" | "render";
  label: string;
  segment: number | null;
  status: "queued" | "running" | "done" | "failed";
  progress: number | null;
  message: string | null;
  output: string | null;
}

export interface RenderFile {
  name: string;
  url: string;
  bytes: number;
  modifiedAt: number;
}

/** The token from the page's own address; the server printed it. */
export const token = new URLSearchParams(location.search).get("token") ?? "";

/** A media or API address with the token, for elements that cannot send headers (video, audio, EventSource). */
export function withToken(path: string): string {
  return `${path}${path.includes("?") ? "&" : "?"}token=${encodeURIComponent(token)}`;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function parse<T>(res: Response): Promise<T> {
  const body = (await res.json().catch(() => ({}))) as { error?: string };
  if (!res.ok) throw new ApiError(res.status, body.error ?? `the server answered ${res.status}`);
  return body as T;
}

export async function get<T>(path: string): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`/api/${path}`, { headers: { "x-refrain-token": token } });
  } catch {
    throw new ApiError(0, "cannot reach the review server — is `refrain review` still running?");
  }
  return parse<T>(res);
}

export async function post<T>(path: string, body: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`/api/${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-refrain-token": token },
      body: JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, "cannot reach the review server — is `refrain review` still running?");
  }
  return parse<T>(res);
}
