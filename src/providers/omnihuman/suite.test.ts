// The shared clip-provider suite on OmniHuman via Volcengine, against the signed-request fake.
import { runClipProviderSuite } from "../suite/clip-provider.case.js";
import { omniHumanOnFake } from "./setup.js";

runClipProviderSuite({ name: "omnihuman volcengine (fake)", setup: () => omniHumanOnFake() });
