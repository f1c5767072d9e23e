// The project's `clip:` block for ComfyUI: one server, or a pool of several, named as the README shows.
import { afterAll, expect, test } from "vitest";
import { startFakeComfy } from "../../../fakes/comfyui/server.js";
import { UserInputError } from "../../errors/index.js";
import { findTools } from "../../media/index.js";
import { comfyKind } from "./kind.js";

const servers: { close(): Promise<void> }[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

const ctx = { tools: findTools(), env: {}, projectDir: process.cwd(), workDir: "/tmp" };

test("pool: [url, url] gives one provider per server", async () => {
  const a = await startFakeComfy({});
  const b = await startFakeComfy({});
  servers.push(a, b);
  const pool = await comfyKind.create(
    { provider: "comfyui", workflow: "wan-s2v", pool: [a.url, b.url] },
    ctx,
  );
  expect(pool.map((p) => p.url)).toEqual([a.url, b.url]);
  await Promise.all(pool.map((p) => p.close()));
});

test("an address that is not http(s) is refused before anything runs", async () => {
  await expect(comfyKind.create({ provider: "comfyui", pool: ["gpu1:8188"] }, ctx)).rejects.toBeInstanceOf(
    UserInputError,
  );
});
