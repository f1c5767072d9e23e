// InfiniteTalk's own generate_infinitetalk.py as a clip provider (streaming mode, windows of 81 + 72·k frames).
export type { InfiniteTalkProvider, InfiniteTalkSettings, InfiniteTalkSize } from "./provider.js";
export {
  createInfiniteTalkProvider,
  explainInfiniteTalkFailure,
  infiniteTalkArgs,
  infiniteTalkAudioSeconds,
  infiniteTalkInput,
} from "./provider.js";
