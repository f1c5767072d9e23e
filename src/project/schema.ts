// The refrain.yaml schema: what a project file may say, with defaults resolved once here.
import { z } from "zod";
import { X264_PRESETS } from "../assemble/filtergraph.js";
import { isTransitionName, XFADE_TRANSITIONS } from "../assemble/timeline.js";

export const PROJECT_FILE = "refrain.yaml";
export const PROJECT_VERSION = 1;

export const ASPECTS = ["16:9", "9:16", "1:1"] as const;
export type Aspect = (typeof ASPECTS)[number];

const fps = z.union([
  z.number().int().positive().max(120),
  z.string().regex(/^(\d+(\/\d+)?|23\.976|29\.97|59\.94)$/),
]);

const transitionName = z.string().refine((t) => t === "none" || isTransitionName(t), {
  message: `not a transition: use fade, none, or an ffmpeg xfade name (${XFADE_TRANSITIONS.slice(0, 6).join(", ")}, …)`,
});

export const OutputSchema = z
  .object({
    aspect: z.enum(ASPECTS).default("16:9"),
    /** Height of a landscape video / width of a portrait one: the short side in pixels. */
    resolution: z.number().int().min(144).max(2160).default(720),
    fps: fps.default(25),
    fit: z.enum(["crop", "pad"]).default("crop"),
    transition: transitionName.default("fade"),
    transition_s: z.number().min(0).max(2).default(0.32),
    /** Transition per section, by the section's name in the lyrics (e.g. Chorus: wipeleft). */
    transitions: z.record(z.string(), transitionName).optional(),
    /** Cut hard (no transition) where a cut falls on a downbeat. */
    hard_cuts_on_downbeats: z.boolean().default(false),
    subtitles: z.enum(["burn", "soft", "none"]).default("burn"),
    /** x264 speed/size trade-off of the final encode (drafts are always ultrafast). */
    preset: z.enum(X264_PRESETS).default("medium"),
    file: z.string().optional(),
  })
  .strict();

export const PlanSchema = z
  .object({
    min_s: z.number().positive().optional(),
    max_s: z.number().positive().optional(),
  })
  .strict()
  .refine((p) => p.min_s === undefined || p.max_s === undefined || p.min_s < p.max_s, {
    message: "min_s must be less than max_s",
  });

export const ClipSchema = z
  .object({
    provider: z.string().default("local"),
    prompt: z.string().default("a singer performing the song, looking at the camera, in a recording studio"),
    instrumental_prompt: z
      .string()
      .default("the singer listens to the music, mouth closed, gentle head movement"),
    seed: z.number().int().nonnegative().default(1),
  })
  // Provider settings (url, workflow, inputs, model…) are checked by the provider itself.
  .catchall(z.unknown());

/**
 * Continuity mode: in these sections each segment starts from the last frame of the segment
 * before it (re-anchored to the key image at section boundaries and every `reanchor_every`
 * segments). Off by default: every clip starts from the key image.
 */
export const ContinuitySchema = z
  .object({
    sections: z.union([z.literal("all"), z.array(z.string().min(1))]).default([]),
    reanchor_every: z.number().int().min(1).default(4),
  })
  .strict();

/** `music:` — make the song from `lyrics_file` when the song file is missing. Provider settings are checked by the provider. */
export const MusicSchema = z
  .object({ provider: z.enum(["suno", "suno-self-hosted", "acestep"]) })
  .catchall(z.unknown());

/** `key_image:` — make the image when the image file is missing. Provider settings are checked by the provider. */
export const KeyImageSchema = z
  .object({
    provider: z.enum(["openai", "gemini"]),
    prompt: z.string().min(1),
    /** Default: the output's aspect. */
    aspect: z.enum(ASPECTS).optional(),
  })
  .catchall(z.unknown());

export const ProjectSchema = z
  .object({
    version: z.literal(PROJECT_VERSION, { error: `version must be ${PROJECT_VERSION}` }),
    title: z.string().min(1).optional(),
    /** The project's id in a team's PostgreSQL (REFRAIN_DATABASE_URL); default: derived from title or folder. */
    project_id: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,100}$/, { error: "project_id: use 1–100 letters, digits, '.', '_' or '-'" })
      .optional(),
    song: z.string().min(1),
    image: z.string().min(1),
    lyrics: z.string().min(1).optional(),
    /** The lyrics file with its header (style, title…) a song is made from. */
    lyrics_file: z.string().min(1).optional(),
    music: MusicSchema.optional(),
    key_image: KeyImageSchema.optional(),
    output: OutputSchema.default(OutputSchema.parse({})),
    plan: PlanSchema.default({}),
    clip: ClipSchema.default(ClipSchema.parse({})),
    budget: z.number().nonnegative().optional(),
    continuity: ContinuitySchema.default(ContinuitySchema.parse({})),
  })
  .strict();

export type ProjectFile = z.infer<typeof ProjectSchema>;
export type MusicSettings = z.infer<typeof MusicSchema>;
export type KeyImageSettings = z.infer<typeof KeyImageSchema>;
export type OutputSettings = z.infer<typeof OutputSchema>;
