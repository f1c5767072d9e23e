// The model files each built-in ComfyUI workflow needs: where ComfyUI looks for them, where Hugging Face serves them, and their sha256 where known.
//
// Hashes and sizes come from the publisher's Hugging Face listing (the LFS sha256 shown per file), pinned
// to the revision they were read at, so the bytes can never change under a hash. Where the hash is not
// known, `sha256` is null and `note` says so: the first download's hash is recorded in the lock file
// (refrain-models.lock.json in the models folder) and later downloads must match it (trust on first use).
import type { BuiltinWorkflowName } from "../providers/comfyui/index.js";

export interface ModelFile {
  /** File name as the workflow names it. */
  readonly name: string;
  /** ComfyUI models subfolder it goes in (diffusion_models, vae, text_encoders, …). */
  readonly folder: string;
  /** Hugging Face repository and revision (a commit, or "main" where none was pinned). */
  readonly repo: string;
  readonly revision: string;
  /** Path inside the repository. */
  readonly path: string;
  /** Lower-case hex sha256, or null where the publisher's hash is not known (trust on first use). */
  readonly sha256: string | null;
  /** Bytes, where known. */
  readonly size: number | null;
  /** Where the hash came from, or why it is missing. */
  readonly note: string;
}

export interface ModelManifest {
  readonly workflow: string;
  readonly files: readonly ModelFile[];
}

const COMFY_WAN21 = "Comfy-Org/Wan_2.1_ComfyUI_repackaged";
const COMFY_WAN21_REV = "617a7633e636506f850e043bc4605f290a466a8e";
const KIJAI_WAV2VEC = "Kijai/wav2vec2_safetensors";
const KIJAI_WAV2VEC_REV = "87847d3bc53702afda44078249e7c33e867827c4";
const PINNED =
  "sha256 and size of the LFS object at this revision (Hugging Face listing, as pinned by independent callers)";
const TOFU = "sha256 not known: recorded from the first download (trust on first use)";

const umt5Fp8: ModelFile = {
  name: "umt5_xxl_fp8_e4m3fn_scaled.safetensors",
  folder: "text_encoders",
  repo: COMFY_WAN21,
  revision: COMFY_WAN21_REV,
  path: "split_files/text_encoders/umt5_xxl_fp8_e4m3fn_scaled.safetensors",
  sha256: "c3355d30191f1f066b26d93fba017ae9809dce6c627dda5f6a66eaa651204f68",
  size: 6_735_906_897,
  note: PINNED,
};

const wanVae: ModelFile = {
  name: "wan_2.1_vae.safetensors",
  folder: "vae",
  repo: COMFY_WAN21,
  revision: COMFY_WAN21_REV,
  path: "split_files/vae/wan_2.1_vae.safetensors",
  sha256: "2fc39d31359a4b0a64f55876d8ff7fa8d780956ae2cb13463b0223e15148976b",
  size: 253_815_318,
  note: PINNED,
};

const wav2vecChinese = (folder: string): ModelFile => ({
  name: "wav2vec2-chinese-base_fp16.safetensors",
  folder,
  repo: KIJAI_WAV2VEC,
  revision: KIJAI_WAV2VEC_REV,
  path: "wav2vec2-chinese-base_fp16.safetensors",
  sha256: "000813e441020f18cff844c969d2d5d4adc2a5ce46b2db1f23950b05d88805b4",
  size: 190_115_368,
  note: PINNED,
});

export const MANIFESTS: Readonly<Record<BuiltinWorkflowName, ModelManifest>> = {
  infinitetalk: {
    workflow: "infinitetalk",
    files: [
      {
        name: "wan2.1_i2v_480p_14B_fp16.safetensors",
        folder: "diffusion_models",
        repo: COMFY_WAN21,
        revision: "main",
        path: "split_files/diffusion_models/wan2.1_i2v_480p_14B_fp16.safetensors",
        sha256: null,
        size: null,
        note: TOFU,
      },
      umt5Fp8,
      wanVae,
      {
        name: "clip_vision_h.safetensors",
        folder: "clip_vision",
        repo: COMFY_WAN21,
        revision: COMFY_WAN21_REV,
        path: "split_files/clip_vision/clip_vision_h.safetensors",
        sha256: "64a7ef761bfccbadbaa3da77366aac4185a6c58fa5de5f589b42a65bcc21f161",
        size: 1_264_219_396,
        note: PINNED,
      },
      {
        name: "wan2.1_infiniteTalk_single_fp16.safetensors",
        folder: "model_patches",
        repo: COMFY_WAN21,
        revision: "main",
        path: "split_files/model_patches/wan2.1_infiniteTalk_single_fp16.safetensors",
        sha256: null,
        size: 5_125_258_232,
        note: `size from the Hugging Face listing; ${TOFU}`,
      },
      wav2vecChinese("audio_encoders"),
    ],
  },
  "infinitetalk-wrapper": {
    workflow: "infinitetalk-wrapper",
    files: [
      {
        name: "Wan2_1-I2V-14B-480P_fp8_e4m3fn.safetensors",
        folder: "diffusion_models",
        repo: "Kijai/WanVideo_comfy",
        revision: "main",
        path: "Wan2_1-I2V-14B-480P_fp8_e4m3fn.safetensors",
        sha256: null,
        size: null,
        note: TOFU,
      },
      {
        name: "Wan2_1_VAE_bf16.safetensors",
        folder: "vae",
        repo: "Kijai/WanVideo_comfy",
        revision: "main",
        path: "Wan2_1_VAE_bf16.safetensors",
        sha256: null,
        size: null,
        note: TOFU,
      },
      {
        name: "umt5-xxl-enc-bf16.safetensors",
        folder: "text_encoders",
        repo: "Kijai/WanVideo_comfy",
        revision: "main",
        path: "umt5-xxl-enc-bf16.safetensors",
        sha256: null,
        size: null,
        note: TOFU,
      },
      {
        name: "Wan2_1-InfiniteTalk_Single_fp16.safetensors",
        folder: "diffusion_models",
        repo: "Kijai/WanVideo_comfy",
        revision: "main",
        // Kijai's repository spells it "InfiniTetalk" [community]; saved under the workflow's name.
        path: "InfiniteTalk/Wan2_1-InfiniTetalk-Single_fp16.safetensors",
        sha256: null,
        size: null,
        note: `${TOFU}; remote path seen only in community code (unverified)`,
      },
      wav2vecChinese("wav2vec2"),
    ],
  },
  "wan-s2v": {
    workflow: "wan-s2v",
    files: [
      {
        name: "wan2.2_s2v_14B_fp8_scaled.safetensors",
        folder: "diffusion_models",
        repo: "Comfy-Org/Wan_2.2_ComfyUI_Repackaged",
        revision: "main",
        path: "split_files/diffusion_models/wan2.2_s2v_14B_fp8_scaled.safetensors",
        sha256: null,
        size: null,
        note: TOFU,
      },
      umt5Fp8,
      wanVae,
      {
        name: "wav2vec2_large_english_fp16.safetensors",
        folder: "audio_encoders",
        repo: "Comfy-Org/Wan_2.2_ComfyUI_Repackaged",
        revision: "main",
        path: "split_files/audio_encoders/wav2vec2_large_english_fp16.safetensors",
        sha256: null,
        size: null,
        note: TOFU,
      },
    ],
  },
};

/** The URL of a file at an endpoint (HF_ENDPOINT mirrors keep Hugging Face's path layout). Pure. */
export function modelUrl(file: ModelFile, endpoint: string): string {
  const path = file.path.split("/").map(encodeURIComponent).join("/");
  return `${endpoint.replace(/\/+$/, "")}/${file.repo}/resolve/${encodeURIComponent(file.revision)}/${path}`;
}
