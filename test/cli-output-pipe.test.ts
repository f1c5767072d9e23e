// `refrain takes | head`: when the reader of refrain's output goes away, refrain neither crashes nor prints a stack.
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { lineWriter } from "../src/cli/context.js";

/** A stream like a pipe whose reader has closed: every write fails with EPIPE. */
function closedPipe(): { stream: Writable; writes: string[] } {
  const writes: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      writes.push(String(chunk));
      done(Object.assign(new Error("write EPIPE"), { code: "EPIPE" }));
    },
  });
  return { stream, writes };
}

describe("writing lines to a closed pipe", () => {
  it("stops writing after EPIPE instead of crashing", async () => {
    const { stream, writes } = closedPipe();
    const line = lineWriter(stream);
    line("segment 0");
    await new Promise((r) => setImmediate(r));
    line("segment 1");
    line("segment 2");
    await new Promise((r) => setImmediate(r));
    expect(writes).toEqual(["segment 0\n"]);
  });

  it("writes every line while the reader is there", async () => {
    const writes: string[] = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        writes.push(String(chunk));
        done();
      },
    });
    const line = lineWriter(stream);
    line("a");
    line("b");
    await new Promise((r) => setImmediate(r));
    expect(writes).toEqual(["a\n", "b\n"]);
  });
});
