// Removing secrets (API keys, signing keys) from any text refrain shows, logs or stores: the one place it is done.

/** The forms a secret may take in text: as is, URL-encoded, and inside a Basic/Bearer header value. */
function forms(secret: string): string[] {
  const out = new Set<string>([secret, encodeURIComponent(secret)]);
  return [...out];
}

/**
 * Replaces every occurrence of each secret in `text` with "***". Secrets shorter than 4
 * characters are ignored (they would blank out ordinary words) — keys are never that short.
 */
export function scrub(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    if (!secret || secret.length < 4) continue;
    for (const form of forms(secret)) out = out.split(form).join("***");
  }
  return out;
}

/**
 * A copy of an error whose message, stack and nested causes have the secrets scrubbed, keeping
 * its name and `code` (ECONNRESET…), so a ProviderError's `cause` never carries a key.
 */
export function scrubError(e: unknown, secrets: readonly (string | undefined)[], depth = 0): unknown {
  if (!(e instanceof Error)) return typeof e === "string" ? scrub(e, secrets) : e;
  const copy = new Error(scrub(e.message, secrets));
  copy.name = e.name;
  copy.stack = e.stack ? scrub(e.stack, secrets) : undefined;
  const code = (e as { code?: unknown }).code;
  if (code !== undefined) (copy as { code?: unknown }).code = code;
  if (e.cause !== undefined && depth < 4) copy.cause = scrubError(e.cause, secrets, depth + 1);
  return copy;
}
