// The shared clip-provider suite on Alibaba wan2.7-i2v, against the DashScope fake.
import { runClipProviderSuite } from "../suite/clip-provider.case.js";
import { ALIBABA_JOB, alibabaOnFake } from "./setup.js";

runClipProviderSuite({
  name: "alibaba wan2.7-i2v (fake)",
  setup: () => alibabaOnFake("wan2.7-i2v"),
  job: ALIBABA_JOB,
});
