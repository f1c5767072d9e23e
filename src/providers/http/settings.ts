// Reading a hosted provider's `clip:` settings and keys: each mistake one line naming the field or variable.
import { UserInputError } from "../../errors/index.js";

/** The key from the environment (or the project's .env, loaded into it), or a UserInputError naming the variable. */
export function requireKey(env: NodeJS.ProcessEnv, variable: string, provider: string): string {
  const key = env[variable]?.trim();
  if (!key) {
    throw new UserInputError(
      `${provider} needs an API key: set ${variable} in the environment or the project's .env`,
    );
  }
  return key;
}

export function optionalString(
  settings: Record<string, unknown>,
  key: string,
  where: string,
): string | undefined {
  const v = settings[key];
  if (v === undefined) return undefined;
  if (typeof v !== "string" || !v.trim())
    throw new UserInputError(`${where}.${key} must be a non-empty string`);
  return v.trim();
}

export function optionalNumber(
  settings: Record<string, unknown>,
  key: string,
  where: string,
  range: { min?: number; max?: number; integer?: boolean } = {},
): number | undefined {
  const v = settings[key];
  if (v === undefined) return undefined;
  const n = typeof v === "string" ? Number(v) : v;
  const ok =
    typeof n === "number" &&
    Number.isFinite(n) &&
    (range.min === undefined || n >= range.min) &&
    (range.max === undefined || n <= range.max) &&
    (!range.integer || Number.isInteger(n));
  if (!ok) {
    const bounds = [
      range.min !== undefined ? `≥ ${range.min}` : "",
      range.max !== undefined ? `≤ ${range.max}` : "",
    ]
      .filter(Boolean)
      .join(" and ");
    throw new UserInputError(
      `${where}.${key} must be ${range.integer ? "an integer" : "a number"}${bounds ? ` ${bounds}` : ""}`,
    );
  }
  return n as number;
}

/** One of a fixed list of values (a resolution, a model name), case as given in the list. */
export function oneOf<T extends string>(
  settings: Record<string, unknown>,
  key: string,
  where: string,
  allowed: readonly T[],
  fallback: T,
): T {
  const v = settings[key];
  if (v === undefined) return fallback;
  const found = allowed.find((a) => a.toLowerCase() === String(v).toLowerCase());
  if (!found) throw new UserInputError(`${where}.${key}: "${String(v)}" is not one of ${allowed.join(", ")}`);
  return found;
}
