// The shared clip-provider suite on WaveSpeed infinitetalk, against the WaveSpeed fake.
import { runClipProviderSuite } from "../suite/clip-provider.case.js";
import { waveSpeedOnFake } from "./setup.js";

runClipProviderSuite({ name: "wavespeed infinitetalk (fake)", setup: () => waveSpeedOnFake("infinitetalk") });
