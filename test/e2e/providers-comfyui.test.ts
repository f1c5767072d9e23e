// Issue 6/7 "done when": ComfyUI with a built-in workflow and with the user's own workflow file each make a whole video through `refrain make` against their fakes.
import { mkdtemp } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { wholeVideo } from "./flow.js";
import { GPU_RIGS, workflowFiles } from "./gpu-rigs.js";
import { type Inputs, makeInputs, removeAll } from "./helpers.js";

let inputs: Inputs;
const projects: string[] = [];
beforeAll(async () => {
  inputs = await makeInputs();
});
afterAll(() => removeAll(inputs.dir, ...projects));

describe.sequential("a whole video on each backend's fake", () => {
  for (const name of ["comfyui (built-in infinitetalk workflow)", "comfyui (the user's own workflow file)"]) {
    const { paid, start } = GPU_RIGS[name]!;
    test(`${name}: made once, spend recorded, second make does nothing`, async () => {
      const scratch = await mkdtemp(join(inputs.dir, "rig-"));
      const rig = await start(scratch);
      try {
        const r = await wholeVideo(inputs, rig, { paid, files: await workflowFiles(scratch) });
        projects.push(r.dir);
        expect(r.frames, `${name}: output frames vs the song`).toBe(r.expected);
      } finally {
        await rig.close();
      }
    });
  }
});
