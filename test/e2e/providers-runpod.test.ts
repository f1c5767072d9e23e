// Issue 6/7 "done when": Runpod's worker-comfyui and public InfiniteTalk endpoints each make a whole video through `refrain make` against their fakes.
import { describeWholeVideos } from "./gpu-rigs.js";

describeWholeVideos(["runpod (worker-comfyui endpoint)", "runpod (public InfiniteTalk endpoint)"]);
