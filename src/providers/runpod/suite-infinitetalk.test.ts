// The shared clip-provider suite on Runpod's public InfiniteTalk endpoint, against the fake serverless API.
import { runRunpodSuite } from "./suite.case.js";

runRunpodSuite("infinitetalk");
