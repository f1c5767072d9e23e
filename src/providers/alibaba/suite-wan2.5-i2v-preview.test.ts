// The shared clip-provider suite on Alibaba wan2.5-i2v-preview, against the DashScope fake.
import { runClipProviderSuite } from "../suite/clip-provider.case.js";
import { ALIBABA_JOB, alibabaOnFake } from "./setup.js";

runClipProviderSuite({
  name: "alibaba wan2.5-i2v-preview (fake)",
  setup: () => alibabaOnFake("wan2.5-i2v-preview"),
  job: ALIBABA_JOB,
});
