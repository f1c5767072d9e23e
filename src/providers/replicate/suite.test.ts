// The shared clip-provider suite on Replicate (bytedance/omni-human), against the Replicate fake.
import { runClipProviderSuite } from "../suite/clip-provider.case.js";
import { replicateOnFake } from "./setup.js";

runClipProviderSuite({ name: "replicate omni-human (fake)", setup: () => replicateOnFake() });
