// The node classes the fake ComfyUI knows: their inputs (for validation and /object_info) and whether they are outputs.

/** One input spec as /object_info shows it: [type, options] or [choices] for a combo. */
export type InputSpec = [string | string[], Record<string, unknown>?];

export interface NodeClass {
  readonly name: string;
  readonly required: Record<string, InputSpec>;
  readonly optional: Record<string, InputSpec>;
  readonly output: string[];
  readonly outputNode: boolean;
  readonly category: string;
  readonly pythonModule: string;
}

// Loaders take any model name: the fake has no model folders, and a real server's value_not_in_list
// for a missing model file is reproduced by `missingModels` in the server options instead.
const MODEL_NAME: InputSpec = ["COMBO", {}];
const INT = (d: number, min: number, max: number, step = 1): InputSpec => [
  "INT",
  { default: d, min, max, step },
];
const FLOAT = (d: number, min: number, max: number): InputSpec => [
  "FLOAT",
  { default: d, min, max, step: 0.01 },
];
const STRING: InputSpec = ["STRING", { multiline: true }];
const link = (type: string): InputSpec => [type, {}];

function node(
  name: string,
  required: Record<string, InputSpec>,
  output: string[],
  options: {
    optional?: Record<string, InputSpec>;
    outputNode?: boolean;
    category?: string;
    module?: string;
  } = {},
): NodeClass {
  return {
    name,
    required,
    optional: options.optional ?? {},
    output,
    outputNode: options.outputNode ?? false,
    category: options.category ?? "fake",
    pythonModule: options.module ?? "nodes",
  };
}

const WRAPPER = "custom_nodes.ComfyUI-WanVideoWrapper";
const VHS = "custom_nodes.ComfyUI-VideoHelperSuite";

export const NODE_CLASSES: readonly NodeClass[] = [
  // Core loaders and encoders.
  node("UNETLoader", { unet_name: MODEL_NAME, weight_dtype: [["default", "fp8_e4m3fn", "fp8_e5m2"]] }, [
    "MODEL",
  ]),
  node("CLIPLoader", { clip_name: MODEL_NAME, type: MODEL_NAME }, ["CLIP"], {
    optional: { device: MODEL_NAME },
  }),
  node("VAELoader", { vae_name: MODEL_NAME }, ["VAE"]),
  node("CLIPVisionLoader", { clip_name: MODEL_NAME }, ["CLIP_VISION"]),
  node(
    "CLIPVisionEncode",
    { clip_vision: link("CLIP_VISION"), image: link("IMAGE"), crop: [["center", "none"]] },
    ["CLIP_VISION_OUTPUT"],
  ),
  node("CLIPTextEncode", { text: STRING, clip: link("CLIP") }, ["CONDITIONING"]),
  node("LoadImage", { image: ["COMBO", { image_upload: true }] }, ["IMAGE", "MASK"]),
  node("LoadAudio", { audio: ["COMBO", { audio_upload: true }] }, ["AUDIO"], {
    module: "comfy_extras.nodes_audio",
  }),
  node(
    "ImageScale",
    {
      image: link("IMAGE"),
      upscale_method: [["nearest-exact", "bilinear", "area", "bicubic", "lanczos"]],
      width: INT(512, 0, 16384),
      height: INT(512, 0, 16384),
      crop: [["disabled", "center"]],
    },
    ["IMAGE"],
  ),
  node("ModelPatchLoader", { name: MODEL_NAME }, ["MODEL_PATCH"]),
  node("AudioEncoderLoader", { audio_encoder_name: MODEL_NAME }, ["AUDIO_ENCODER"]),
  node("AudioEncoderEncode", { audio_encoder: link("AUDIO_ENCODER"), audio: link("AUDIO") }, [
    "AUDIO_ENCODER_OUTPUT",
  ]),
  node("ModelSamplingSD3", { model: link("MODEL"), shift: FLOAT(3, 0, 100) }, ["MODEL"]),
  node(
    "KSampler",
    {
      model: link("MODEL"),
      seed: INT(0, 0, Number.MAX_SAFE_INTEGER),
      steps: INT(20, 1, 10000),
      cfg: FLOAT(8, 0, 100),
      sampler_name: MODEL_NAME,
      scheduler: MODEL_NAME,
      positive: link("CONDITIONING"),
      negative: link("CONDITIONING"),
      latent_image: link("LATENT"),
      denoise: FLOAT(1, 0, 1),
    },
    ["LATENT"],
  ),
  node("VAEDecode", { samples: link("LATENT"), vae: link("VAE") }, ["IMAGE"]),
  node("CreateVideo", { images: link("IMAGE"), fps: FLOAT(30, 1, 120) }, ["VIDEO"], {
    optional: { audio: link("AUDIO") },
    module: "comfy_extras.nodes_video",
  }),
  node(
    "SaveVideo",
    {
      video: link("VIDEO"),
      filename_prefix: ["STRING", { default: "video/ComfyUI" }],
      format: [["auto", "mp4"]],
      codec: [["auto", "h264"]],
    },
    [],
    { outputNode: true, module: "comfy_extras.nodes_video" },
  ),
  node("SaveAudio", { audio: link("AUDIO"), filename_prefix: ["STRING", { default: "audio/ComfyUI" }] }, [], {
    outputNode: true,
    module: "comfy_extras.nodes_audio",
  }),
  node("PreviewImage", { images: link("IMAGE") }, [], { outputNode: true }),
  // Native Wan nodes (comfy_extras/nodes_wan.py).
  node(
    "WanInfiniteTalkToVideo",
    {
      mode: [["single_speaker", "two_speakers"]],
      model: link("MODEL"),
      model_patch: link("MODEL_PATCH"),
      positive: link("CONDITIONING"),
      negative: link("CONDITIONING"),
      vae: link("VAE"),
      width: INT(832, 16, 16384, 16),
      height: INT(480, 16, 16384, 16),
      length: INT(81, 1, 16384, 4),
      audio_encoder_output_1: link("AUDIO_ENCODER_OUTPUT"),
      motion_frame_count: INT(9, 1, 33),
      audio_scale: FLOAT(1, -10, 10),
    },
    ["MODEL", "CONDITIONING", "CONDITIONING", "LATENT", "INT"],
    {
      optional: {
        clip_vision_output: link("CLIP_VISION_OUTPUT"),
        start_image: link("IMAGE"),
        previous_frames: link("IMAGE"),
      },
      module: "comfy_extras.nodes_wan",
    },
  ),
  node(
    "WanSoundImageToVideo",
    {
      positive: link("CONDITIONING"),
      negative: link("CONDITIONING"),
      vae: link("VAE"),
      width: INT(832, 16, 16384, 16),
      height: INT(480, 16, 16384, 16),
      length: INT(77, 1, 16384, 4),
      batch_size: INT(1, 1, 4096),
    },
    ["CONDITIONING", "CONDITIONING", "LATENT"],
    {
      optional: {
        audio_encoder_output: link("AUDIO_ENCODER_OUTPUT"),
        ref_image: link("IMAGE"),
        control_video: link("IMAGE"),
        ref_motion: link("IMAGE"),
      },
      module: "comfy_extras.nodes_wan",
    },
  ),
  // kijai/ComfyUI-WanVideoWrapper.
  node(
    "WanVideoModelLoader",
    { model: MODEL_NAME, base_precision: MODEL_NAME, quantization: MODEL_NAME, load_device: MODEL_NAME },
    ["WANVIDEOMODEL"],
    { optional: { multitalk_model: link("MULTITALKMODEL") }, module: WRAPPER },
  ),
  node("WanVideoVAELoader", { model_name: MODEL_NAME }, ["WANVAE"], { module: WRAPPER }),
  node("LoadWanVideoT5TextEncoder", { model_name: MODEL_NAME, precision: MODEL_NAME }, ["WANTEXTENCODER"], {
    module: WRAPPER,
  }),
  node(
    "WanVideoTextEncode",
    { positive_prompt: STRING, negative_prompt: STRING, t5: link("WANTEXTENCODER") },
    ["WANVIDEOTEXTEMBEDS"],
    { module: WRAPPER },
  ),
  node("MultiTalkModelLoader", { model: MODEL_NAME }, ["MULTITALKMODEL"], { module: WRAPPER }),
  node("Wav2VecModelLoader", { model: MODEL_NAME }, ["WAV2VECMODEL"], { module: WRAPPER }),
  node(
    "MultiTalkWav2VecEmbeds",
    {
      wav2vec_model: link("WAV2VECMODEL"),
      audio_1: link("AUDIO"),
      normalize_loudness: ["BOOLEAN", { default: true }],
      num_frames: INT(81, 1, 10000),
      fps: FLOAT(25, 1, 60),
      audio_scale: FLOAT(1, -10, 10),
      audio_cfg_scale: FLOAT(1, -10, 10),
      multi_audio_type: [["para", "add"]],
    },
    ["MULTITALK_EMBEDS", "AUDIO", "INT"],
    { module: WRAPPER },
  ),
  node("MultiTalkSilentEmbeds", { num_frames: INT(81, 1, 10000) }, ["MULTITALK_EMBEDS"], { module: WRAPPER }),
  node(
    "WanVideoImageToVideoMultiTalk",
    {
      vae: link("WANVAE"),
      width: INT(832, 64, 8096, 16),
      height: INT(480, 64, 8096, 16),
      frame_window_size: INT(81, 1, 10000, 4),
      motion_frame: INT(25, 1, 10000),
      force_offload: ["BOOLEAN", { default: true }],
      colormatch: [["disabled", "mkl", "hm", "reinhard", "mvgd", "hm-mvgd-hm", "hm-mkl-hm"]],
    },
    ["WANVIDIMAGE_EMBEDS"],
    {
      optional: { start_image: link("IMAGE"), clip_embeds: link("WANVIDIMAGE_CLIPEMBEDS") },
      module: WRAPPER,
    },
  ),
  node(
    "WanVideoSampler",
    {
      model: link("WANVIDEOMODEL"),
      image_embeds: link("WANVIDIMAGE_EMBEDS"),
      steps: INT(30, 1, 1000),
      cfg: FLOAT(6, 0, 30),
      shift: FLOAT(5, 0, 1000),
      seed: INT(0, 0, Number.MAX_SAFE_INTEGER),
      force_offload: ["BOOLEAN", { default: true }],
      scheduler: MODEL_NAME,
      riflex_freq_index: INT(0, 0, 1000),
    },
    ["LATENT", "LATENT"],
    {
      optional: { text_embeds: link("WANVIDEOTEXTEMBEDS"), multitalk_embeds: link("MULTITALK_EMBEDS") },
      module: WRAPPER,
    },
  ),
  node("WanVideoDecode", { vae: link("WANVAE"), samples: link("LATENT") }, ["IMAGE"], { module: WRAPPER }),
  // Kosinkadink/ComfyUI-VideoHelperSuite.
  node(
    "VHS_VideoCombine",
    {
      images: link("IMAGE"),
      frame_rate: FLOAT(8, 1, 1000),
      loop_count: INT(0, 0, 100),
      filename_prefix: ["STRING", { default: "AnimateDiff" }],
      format: [["image/gif", "image/webp", "video/h264-mp4"]],
      pingpong: ["BOOLEAN", { default: false }],
      save_output: ["BOOLEAN", { default: true }],
    },
    ["VHS_FILENAMES"],
    { optional: { audio: link("AUDIO") }, outputNode: true, module: VHS },
  ),
];

export const NODE_BY_NAME: ReadonlyMap<string, NodeClass> = new Map(NODE_CLASSES.map((n) => [n.name, n]));

/** The /object_info entry of one class, in ComfyUI's shape. */
export function objectInfo(n: NodeClass): Record<string, unknown> {
  return {
    input: { required: n.required, optional: n.optional },
    input_order: { required: Object.keys(n.required), optional: Object.keys(n.optional) },
    output: n.output,
    output_is_list: n.output.map(() => false),
    output_name: n.output,
    name: n.name,
    display_name: n.name,
    description: "",
    python_module: n.pythonModule,
    category: n.category,
    output_node: n.outputNode,
  };
}
