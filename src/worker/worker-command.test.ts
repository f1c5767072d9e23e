// `refrain worker` refuses to start without a database URL, or with a bad --concurrency, in one clear line.
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { makeCli } from "../cli/context.js";
import { registerWorkerCommand } from "../cli/worker-command.js";

function program(env: NodeJS.ProcessEnv) {
  const lines: string[] = [];
  const p = new Command().exitOverride();
  registerWorkerCommand(
    p,
    makeCli(false, { env, stdout: (t) => lines.push(t), stderr: (t) => lines.push(t) }),
  );
  return p;
}

describe("refrain worker", () => {
  it("says which variable to set when REFRAIN_DATABASE_URL is missing", async () => {
    await expect(program({}).parseAsync(["node", "refrain", "worker"])).rejects.toMatchObject({
      name: "UserInputError",
      message: expect.stringMatching(/^REFRAIN_DATABASE_URL is not set — set it to/),
    });
  });

  it("refuses a concurrency that is not a whole number", async () => {
    await expect(
      program({}).parseAsync(["node", "refrain", "worker", "--concurrency", "1.5"]),
    ).rejects.toThrow(/--concurrency 1.5: expected a whole number/);
  });

  it("says which server it cannot reach, without the password", async () => {
    const env = { REFRAIN_DATABASE_URL: "postgres://u:s3cret@127.0.0.1:1/x" };
    const error = await program(env)
      .parseAsync(["node", "refrain", "worker"])
      .catch((e: Error) => e);
    expect((error as Error).message).toMatch(
      /cannot start the job queue at postgres:\/\/u:\*\*\*@127\.0\.0\.1:1\/x/,
    );
    expect((error as Error).message).not.toMatch(/s3cret/);
  });
});
