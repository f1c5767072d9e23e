// Wan2GP as a clip provider: the user's own install run headless (`wgp.py --process`), InfiniteTalk at any 4n+1 length.
export type { Wan2gpProvider, Wan2gpSettings } from "./provider.js";
export {
  createWan2gpProvider,
  explainWan2gpFailure,
  wan2gpConstraints,
  wan2gpTaskSettings,
} from "./provider.js";
