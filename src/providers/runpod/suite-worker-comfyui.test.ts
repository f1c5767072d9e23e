// The shared clip-provider suite on a Runpod worker-comfyui endpoint, against the fake serverless API.
import { runRunpodSuite } from "./suite.case.js";

runRunpodSuite("ep-comfy");
