// Songs and images as takes: files plus one JSON index per kind under .refrain/takes/, written atomically.
//
// The Store's takes are clip takes (segment, frames, image and audio hashes); songs and images come
// before any plan and have none of those, and the Store exposes no way to add tables. So each kind
// keeps `<project>/.refrain/takes/<kind>/index.json` beside its files. A take is written as
// `submitted` (with the remote id) before any waiting, so a crash or Ctrl-C never loses a paid job.
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { UserInputError } from "../../errors/index.js";
import { writeFileAtomic } from "../../files/index.js";

export type MediaTakeKind = "songs" | "images" | "stems";

export interface MediaTake {
  readonly id: string;
  /** Takes made by one request share it (Suno makes two songs per request). */
  readonly request: string;
  readonly provider: string;
  readonly model: string;
  readonly remoteId: string | null;
  /** The song id or image index inside the request, once known. */
  readonly item: string | null;
  readonly status: "submitted" | "succeeded" | "failed";
  /** What was asked for (lyrics, style, prompt…): rerolls and reports read it. */
  readonly spec: unknown;
  readonly estimatedUsd: number;
  readonly actualUsd: number | null;
  readonly createdAt: number;
  readonly finishedAt: number | null;
  /** The media file, relative to the index's folder. */
  readonly file: string | null;
  /** Aligned lyrics (JSON) for songs, relative to the index's folder. */
  readonly lyrics: string | null;
  readonly durationS: number | null;
  readonly failureReason: string | null;
  /** Face check summary for images. */
  readonly note: string | null;
}

/** A take just asked for: its own id, nothing known yet but what was asked and its estimated price. */
export function submittedTake(fields: {
  request: string;
  provider: { name: string; model: string };
  remoteId: string | null;
  spec: unknown;
  estimatedUsd: number;
  createdAt: number;
}): MediaTake {
  return {
    id: randomUUID(),
    request: fields.request,
    provider: fields.provider.name,
    model: fields.provider.model,
    remoteId: fields.remoteId,
    item: null,
    status: "submitted",
    spec: fields.spec,
    estimatedUsd: fields.estimatedUsd,
    actualUsd: null,
    createdAt: fields.createdAt,
    finishedAt: null,
    file: null,
    lyrics: null,
    durationS: null,
    failureReason: null,
    note: null,
  };
}

const IndexFile = z.object({ version: z.literal(1), takes: z.array(z.record(z.string(), z.unknown())) });

export class MediaTakes {
  readonly dir: string;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(projectDir: string, kind: MediaTakeKind) {
    this.dir = join(projectDir, ".refrain", "takes", kind);
  }

  get indexPath(): string {
    return join(this.dir, "index.json");
  }

  async list(): Promise<MediaTake[]> {
    let text: string;
    try {
      text = await readFile(this.indexPath, "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw e;
    }
    let parsed: z.infer<typeof IndexFile>;
    try {
      parsed = IndexFile.parse(JSON.parse(text));
    } catch (cause) {
      throw new UserInputError(`${this.indexPath}: not a take index (version 1)`, {
        file: this.indexPath,
        cause,
      });
    }
    return parsed.takes as unknown as MediaTake[];
  }

  async get(id: string): Promise<MediaTake | undefined> {
    return (await this.list()).find((t) => t.id === id || t.id.startsWith(id));
  }

  /** Adds or replaces takes by id, one writer at a time. */
  put(...takes: MediaTake[]): Promise<void> {
    const run = this.queue.then(async () => {
      const all = await this.list();
      for (const t of takes) {
        const i = all.findIndex((x) => x.id === t.id);
        if (i >= 0) all[i] = t;
        else all.push(t);
      }
      await writeFileAtomic(this.indexPath, `${JSON.stringify({ version: 1, takes: all }, null, 2)}\n`);
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Absolute path of a take's file. */
  path(relative: string): string {
    return join(this.dir, relative);
  }
}
