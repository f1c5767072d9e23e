// The refrain.yaml schema: what a project file may say, with defaults resolved once here.
import { z } from "zod";

export const PROJECT_FILE = "refrain.yaml";
export const PROJECT_VERSION = 1;

export const ASPECTS = ["16:9", "9:16", "1:1"] as const;
export type Aspect = (typeof ASPECTS)[number];

const fps = z.union([z.number().int().positive().max(120), z.string().regex(/^(\d+(\/\d+)?|23\.976|29\.97|59\.94)$/)]);

export const OutputSchema = z
  .object({
    aspect: z.enum(ASPECTS).default("16:9"),
    /** Height of a landscape video / width of a portrait one: the short side in pixels. */
    resolution: z.number().int().min(144).max(2160).default(720),
    fps: fps.default(25),
    fit: z.enum(["crop", "pad"]).default("crop"),
    transition: z.string().default("fade"),
    transition_s: z.number().min(0).max(2).default(0.32),
    subtitles: z.enum(["burn", "soft", "none"]).default("burn"),
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
    instrumental_prompt: z.string().default("the singer listens to the music, mouth closed, gentle head movement"),
    seed: z.number().int().nonnegative().default(1),
  })
  // Provider settings (url, workflow, inputs, model…) are checked by the provider itself.
  .catchall(z.unknown());

export const ProjectSchema = z
  .object({
    version: z.literal(PROJECT_VERSION, { error: `version must be ${PROJECT_VERSION}` }),
    title: z.string().min(1).optional(),
    song: z.string().min(1),
    image: z.string().min(1),
    lyrics: z.string().min(1).optional(),
    output: OutputSchema.default(OutputSchema.parse({})),
    plan: PlanSchema.default({}),
    clip: ClipSchema.default(ClipSchema.parse({})),
    budget: z.number().nonnegative().optional(),
  })
  .strict();

export type ProjectFile = z.infer<typeof ProjectSchema>;
export type OutputSettings = z.infer<typeof OutputSchema>;
