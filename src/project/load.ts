// Reading refrain.yaml: YAML errors and schema errors both point at file:line:column and the field.
import { readFile } from "node:fs/promises";
import { basename, dirname, isAbsolute, resolve } from "node:path";
import { type Document, isMap, isScalar, LineCounter, parseDocument } from "yaml";
import type { z } from "zod";
import { UserInputError } from "../errors/index.js";
import { PROJECT_FILE, type ProjectFile, ProjectSchema } from "./schema.js";

export interface Project {
  /** The folder that holds refrain.yaml; every relative path in it is relative to this. */
  readonly dir: string;
  readonly file: string;
  readonly config: ProjectFile;
  /** Absolute paths of the inputs. */
  readonly songPath: string;
  readonly imagePath: string;
  readonly lyricsPath?: string;
  /** Name used for outputs: the title, else the folder's name. */
  readonly name: string;
}

function position(lc: LineCounter, offset: number): string {
  const { line, col } = lc.linePos(offset);
  return `${line}:${col}`;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === "unrecognized_keys")
    return `unknown field ${issue.keys.map((k) => `"${k}"`).join(", ")}`;
  if (issue.code === "invalid_type" && issue.input === undefined) return "is required";
  return issue.message;
}

/** The field names the schema allows in the mapping at `path` (none when it is not a fixed mapping). */
function knownKeys(path: readonly string[]): string[] {
  // Optional and defaulted fields wrap their schema: look through to the object inside.
  const unwrap = (s: unknown): unknown => {
    let t = s as { _zod?: { def?: { innerType?: unknown } } } | undefined;
    while (t?._zod?.def?.innerType) t = t._zod.def.innerType as typeof t;
    return t;
  };
  let schema = unwrap(ProjectSchema) as { shape?: Record<string, unknown> } | undefined;
  for (const p of path) schema = unwrap(schema?.shape?.[p]) as typeof schema;
  return schema?.shape ? Object.keys(schema.shape) : [];
}

/** Edit distance, for suggesting the field a misspelt one meant. */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++)
      next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length]!;
}

/** The hint for an unknown field: the known one it is closest to, or where the fields are listed. */
function unknownFieldHint(key: string, path: readonly string[]): string {
  const near = knownKeys(path)
    .map((k) => ({ k, d: distance(key, k) }))
    .filter((c) => c.d <= 2)
    .sort((a, b) => a.d - b.d)[0];
  return near ? `did you mean "${near.k}"?` : "the README's refrain.yaml reference lists the fields";
}

/** Where the deepest node that exists on `path` starts (0 when none does). */
function nodeOffset(doc: Document, path: readonly string[]): number {
  for (let i = path.length; i >= 0; i--) {
    const node = doc.getIn(path.slice(0, i), true);
    if (node && (isScalar(node) || isMap(node) || typeof node === "object") && "range" in (node as object)) {
      const range = (node as { range?: [number, number, number] }).range;
      if (range) return range[0];
    }
  }
  return 0;
}

/**
 * "refrain.yaml:12:13": where the field at `path` (e.g. ["clip", "provider"]) is in the project
 * text, for errors found after loading (a provider name checked against the providers there are).
 */
export function fieldLocation(text: string, file: string, path: readonly string[]): string {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  return `${file}:${position(lc, nodeOffset(doc, path))}`;
}

/** Parses and validates project text. Pure apart from the file name it reports. */
export function parseProject(text: string, file: string): ProjectFile {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const firstError = doc.errors[0];
  if (firstError) {
    throw new UserInputError(
      `${file}:${position(lc, firstError.pos[0])}: YAML error: ${firstError.message.split("\n")[0]}`,
      {
        file,
        hint: "fix the YAML syntax",
      },
    );
  }
  if (!isMap(doc.contents)) {
    throw new UserInputError(`${file}:1:1: expected a mapping starting with "version: 1"`, { file });
  }
  const result = ProjectSchema.safeParse(doc.toJS());
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = issue.path.map(String);
  let offset = nodeOffset(doc, path);
  let hint: string | undefined;
  if (issue.code === "unrecognized_keys") {
    // Point at the unknown key itself, not at the mapping that holds it.
    const key = issue.keys[0]!;
    const map = path.length ? doc.getIn(path, true) : doc.contents;
    const item = isMap(map) ? map.items.find((i) => isScalar(i.key) && i.key.value === key) : undefined;
    const range = item && isScalar(item.key) ? item.key.range : undefined;
    if (range) offset = range[0];
    hint = unknownFieldHint(key, path);
  }
  const field = path.length ? path.join(".") : "(top level)";
  throw new UserInputError(`${file}:${position(lc, offset)}: ${field}: ${describeIssue(issue)}`, {
    file,
    ...(hint ? { hint } : {}),
  });
}

function resolveIn(dir: string, p: string): string {
  return isAbsolute(p) ? p : resolve(dir, p);
}

/** Loads the project in `dir` (or the folder of a refrain.yaml path). */
export async function loadProject(dirOrFile = "."): Promise<Project> {
  const file =
    dirOrFile.endsWith(".yaml") || dirOrFile.endsWith(".yml")
      ? resolve(dirOrFile)
      : resolve(dirOrFile, PROJECT_FILE);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserInputError(
      code === "ENOENT" ? `no ${PROJECT_FILE} in ${dirname(file)}` : `cannot read ${file} (${code})`,
      {
        file,
        hint:
          code === "ENOENT"
            ? "run `refrain new NAME --song SONG --image IMAGE` first, or cd into a project"
            : undefined,
        cause: e,
      },
    );
  }
  const config = parseProject(text, file);
  const dir = dirname(file);
  return {
    dir,
    file,
    config,
    songPath: resolveIn(dir, config.song),
    imagePath: resolveIn(dir, config.image),
    lyricsPath: config.lyrics ? resolveIn(dir, config.lyrics) : undefined,
    name: config.title ?? basename(dir),
  };
}
