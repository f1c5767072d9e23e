// Test wiring every hosted provider's tests share: a provider on a fresh fake with its own work folder, and one clean-up for both.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface ProviderOnFake<F, P> {
  readonly fake: F;
  readonly provider: P;
  readonly workDir: string;
  /** Stops the fake and removes the work folder. */
  close(): Promise<void>;
}

/** Makes a work folder (`workPrefix` + random) and the provider `make` builds in it, against `fake`. */
export async function providerOnFake<F extends { close(): Promise<void> }, P>(
  workPrefix: string,
  fake: F,
  make: (workDir: string) => Promise<P> | P,
): Promise<ProviderOnFake<F, P>> {
  const workDir = await mkdtemp(join(tmpdir(), workPrefix));
  const provider = await make(workDir);
  return {
    fake,
    provider,
    workDir,
    close: async () => {
      await fake.close();
      await rm(workDir, { recursive: true, force: true });
    },
  };
}
