// Models that install themselves: per-workflow manifests, a check of a ComfyUI folder, and resumable, verified downloads.
export type {
  CheckOptions,
  InstallOptions,
  InstallProgress,
  InstallResult,
  LockEntry,
  ModelState,
  ModelsCheck,
  ModelsLock,
} from "./install.js";
export {
  checkModels,
  installModels,
  LOCK_NAME,
  manifestFor,
  modelKey,
  proxyDispatcher,
  readModelsLock,
  sha256File,
} from "./install.js";
export type { ModelFile, ModelManifest } from "./manifests.js";
export { MANIFESTS, modelUrl } from "./manifests.js";
