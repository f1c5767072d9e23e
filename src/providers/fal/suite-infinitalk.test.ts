// The shared clip-provider suite on fal infinitalk, against the fal fake.
import { runClipProviderSuite } from "../suite/clip-provider.case.js";
import { falOnFake } from "./setup.js";

runClipProviderSuite({ name: "fal infinitalk (fake)", setup: () => falOnFake("infinitalk") });
