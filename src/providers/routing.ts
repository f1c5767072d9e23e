// Choosing the clip settings for one segment: instrumental stretches may go to a cheaper provider (or `local`), vocals to a lip-sync model.
//
// In the project file:
//   clip:
//     provider: fal            # vocal segments (and all segments unless overridden)
//     model: infinitalk
//     resolution: 720p
//     instrumental:            # optional: settings for instrumental segments
//       provider: local        # another provider: only these settings apply
//     vocal: { resolution: 480p }   # optional: same provider → merged over the base settings
import { UserInputError } from "../errors/index.js";
import type { SegmentKind } from "../plan/types.js";
import type { ClipSettings } from "./index.js";

/**
 * The settings a segment of `kind` is generated with. An override naming another provider stands
 * alone (a fal key such as `resolution: 720p` must not leak into `local`); an override for the
 * same provider (or naming none) is merged over the base. The `vocal`/`instrumental` keys never
 * reach a provider. Pure.
 */
export function providerForSegment(clip: ClipSettings, kind: SegmentKind): ClipSettings {
  const { vocal, instrumental, ...base } = clip;
  const override = kind === "vocal" ? vocal : instrumental;
  if (override === undefined || override === null) return base as ClipSettings;
  if (typeof override !== "object" || Array.isArray(override)) {
    throw new UserInputError(`clip.${kind}: expected settings such as { provider: local }`);
  }
  const o = override as Record<string, unknown>;
  if ("vocal" in o || "instrumental" in o)
    throw new UserInputError(`clip.${kind}: cannot nest vocal/instrumental settings`);
  if (o.provider !== undefined && typeof o.provider !== "string") {
    throw new UserInputError(`clip.${kind}.provider must be a provider name`);
  }
  if (o.provider === undefined || o.provider === base.provider)
    return { ...base, ...o, provider: base.provider } as ClipSettings;
  return { ...o, provider: o.provider } as ClipSettings;
}

/** Every distinct provider setting a project may use, so each can be created and priced up front. Pure. */
export function providersInUse(clip: ClipSettings): ClipSettings[] {
  const all = [providerForSegment(clip, "vocal"), providerForSegment(clip, "instrumental")];
  const seen = new Set<string>();
  return all.filter((s) => {
    const k = JSON.stringify(s);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
