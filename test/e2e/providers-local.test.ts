// Issue 6/7 "done when": local, Wan2GP and InfiniteTalk (scripts on this machine) each make a whole video through `refrain make` against their fakes.
import { describeWholeVideos } from "./gpu-rigs.js";

describeWholeVideos(["local", "wan2gp", "infinitetalk"]);
