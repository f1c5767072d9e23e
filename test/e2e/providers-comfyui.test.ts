// Issue 6/7 "done when": ComfyUI with a built-in workflow and with the user's own workflow file each make a whole video through `refrain make` against their fakes.
import { describeWholeVideos } from "./gpu-rigs.js";

describeWholeVideos(["comfyui (built-in infinitetalk workflow)", "comfyui (the user's own workflow file)"]);
