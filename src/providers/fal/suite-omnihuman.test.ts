// The shared clip-provider suite on fal omnihuman, against the fal fake.
import { runClipProviderSuite } from "../suite/clip-provider.case.js";
import { falOnFake } from "./setup.js";

runClipProviderSuite({ name: "fal omnihuman (fake)", setup: () => falOnFake("omnihuman") });
