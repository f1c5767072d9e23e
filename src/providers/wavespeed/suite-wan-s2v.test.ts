// The shared clip-provider suite on WaveSpeed wan-s2v, against the WaveSpeed fake.
import { runClipProviderSuite } from "../suite/clip-provider.case.js";
import { waveSpeedOnFake } from "./setup.js";

runClipProviderSuite({ name: "wavespeed wan-s2v (fake)", setup: () => waveSpeedOnFake("wan-s2v") });
