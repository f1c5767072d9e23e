// Models that install themselves: manifests match the built-in workflows; downloads resume, verify, honour HF_ENDPOINT and proxies.
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { createServer, request as httpRequest, type Server } from "node:http";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { modelBytes, sha256, startFakeModelFiles } from "../../fakes/modelfiles/server.js";
import { closeServer, listenLoopback } from "../../fakes/shared/http.js";
import { ProviderError, UserInputError } from "../errors/index.js";
import { BUILTIN_WORKFLOWS } from "../providers/comfyui/index.js";
import {
  checkModels,
  installModels,
  LOCK_NAME,
  MANIFESTS,
  type ModelManifest,
  modelUrl,
  readModelsLock,
} from "./index.js";

const vaeBytes = modelBytes("vae", 300_000);
const unetBytes = modelBytes("unet", 500_000);

/** Two files like a real manifest: one with the publisher's hash and size, one without (trust on first use). */
const manifest: ModelManifest = {
  workflow: "test",
  files: [
    {
      name: "vae.safetensors",
      folder: "vae",
      repo: "acme/wan",
      revision: "abc123",
      path: "split_files/vae/vae.safetensors",
      sha256: sha256(vaeBytes),
      size: vaeBytes.length,
      note: "publisher",
    },
    {
      name: "unet.safetensors",
      folder: "diffusion_models",
      repo: "acme/wan",
      revision: "main",
      path: "unet.safetensors",
      sha256: null,
      size: null,
      note: "not known: trust on first use",
    },
  ],
};
const vaePath = "/acme/wan/resolve/abc123/split_files/vae/vae.safetensors";
const unetPath = "/acme/wan/resolve/main/unet.safetensors";
const files = { [vaePath]: vaeBytes, [unetPath]: unetBytes };

let comfy = "";
beforeEach(async () => {
  comfy = await mkdtemp(join(tmpdir(), "comfy-"));
  await mkdir(join(comfy, "models"));
});
afterEach(() => rm(comfy, { recursive: true, force: true }));

describe("manifests", () => {
  test("every model file a built-in workflow names is in its manifest, in the folder its loader reads", () => {
    for (const [name, workflow] of Object.entries(BUILTIN_WORKFLOWS)) {
      const named = Object.values(workflow.graph)
        .flatMap((node) => Object.values(node.inputs))
        .filter((v): v is string => typeof v === "string" && /\.(safetensors|pth|gguf|ckpt)$/.test(v));
      const listed = MANIFESTS[name as keyof typeof MANIFESTS].files.map((f) => f.name);
      expect(new Set(listed), name).toEqual(new Set(named));
    }
  });

  test("each entry has a published sha256 or says it is trusted on first use", () => {
    for (const m of Object.values(MANIFESTS)) {
      for (const f of m.files) {
        if (f.sha256 === null) expect(f.note, f.name).toMatch(/trust on first use/);
        else expect(f.sha256).toMatch(/^[0-9a-f]{64}$/);
      }
    }
  });

  test("URLs follow Hugging Face's resolve layout under any endpoint", () => {
    expect(modelUrl(manifest.files[0]!, "https://hf-mirror.com/")).toBe(
      "https://hf-mirror.com/acme/wan/resolve/abc123/split_files/vae/vae.safetensors",
    );
  });
});

describe("checkModels", () => {
  test("a folder that is not ComfyUI's is refused with what to give", async () => {
    await expect(checkModels(join(comfy, "nope"), manifest)).rejects.toBeInstanceOf(UserInputError);
  });

  test("lists what is needed, present, missing and of the wrong size or hash", async () => {
    let check = await checkModels(comfy, manifest);
    expect(check.needed).toHaveLength(2);
    expect(check.missing.map((s) => s.file.name)).toEqual(["vae.safetensors", "unet.safetensors"]);
    await mkdir(join(comfy, "models", "vae"));
    await writeFile(join(comfy, "models", "vae", "vae.safetensors"), vaeBytes);
    check = await checkModels(comfy, manifest, { verify: true });
    expect(check.present.map((s) => s.file.name)).toEqual(["vae.safetensors"]);
    const wrong = Buffer.from(vaeBytes);
    wrong[10]! ^= 1;
    await writeFile(join(comfy, "models", "vae", "vae.safetensors"), wrong);
    expect((await checkModels(comfy, manifest)).present).toHaveLength(1); // same size: only --verify tells
    check = await checkModels(comfy, manifest, { verify: true });
    expect(check.wrongHash[0]?.problem).toMatch(/sha256 .* expected .*publisher/);
    await writeFile(join(comfy, "models", "vae", "vae.safetensors"), "short");
    expect((await checkModels(comfy, manifest)).wrongHash[0]?.problem).toMatch(/5 bytes, expected 300000/);
  });

  test("an unknown workflow name lists the built-in ones", async () => {
    await expect(checkModels(comfy, "nope")).rejects.toThrow(/infinitetalk/);
  });
});

describe("installModels", () => {
  test("downloads what is missing from HF_ENDPOINT (following the CDN redirect), verifies, records the lock and warns about unpublished hashes", async () => {
    const fake = await startFakeModelFiles({ files, redirect: true });
    try {
      const warnings: string[] = [];
      const progress: number[] = [];
      const result = await installModels(comfy, manifest, {
        env: { HF_ENDPOINT: fake.url },
        onWarning: (w) => warnings.push(w),
        onProgress: (p) => progress.push(p.bytes),
      });
      expect(result.installed).toEqual(["vae/vae.safetensors", "diffusion_models/unet.safetensors"]);
      expect(await readFile(join(comfy, "models", "vae", "vae.safetensors"))).toEqual(vaeBytes);
      expect(await readFile(join(comfy, "models", "diffusion_models", "unet.safetensors"))).toEqual(
        unetBytes,
      );
      expect(fake.requests.some((r) => r.status === 302)).toBe(true);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/unet.*trust on first use/);
      const lock = await readModelsLock(comfy);
      expect(lock.files["diffusion_models/unet.safetensors"]).toMatchObject({
        sha256: sha256(unetBytes),
        source: "first-download",
      });
      expect(progress.at(-1)).toBe(unetBytes.length);
      const again = await installModels(comfy, manifest, { env: { HF_ENDPOINT: fake.url } });
      expect(again.installed).toEqual([]);
      expect(again.alreadyPresent).toHaveLength(2);
    } finally {
      await fake.close();
    }
  });

  test("a dropped connection resumes with a Range request and fetches each byte once", async () => {
    const fake = await startFakeModelFiles({ files, dropAfter: { [vaePath]: 100_000 } });
    try {
      await installModels(
        comfy,
        { ...manifest, files: [manifest.files[0]!] },
        { env: { HF_ENDPOINT: fake.url } },
      );
      expect(await readFile(join(comfy, "models", "vae", "vae.safetensors"))).toEqual(vaeBytes);
      const vaeRequests = fake.requests.filter((r) => r.path === vaePath);
      expect(vaeRequests.map((r) => r.range)).toEqual([undefined, "bytes=100000-"]);
      expect(vaeRequests.reduce((n, r) => n + r.bytes, 0)).toBe(vaeBytes.length);
    } finally {
      await fake.close();
    }
  });

  test("an interrupted install keeps its part and the next run resumes it", async () => {
    const fake = await startFakeModelFiles({ files, dropAfter: { [vaePath]: 120_000 } });
    try {
      const only = { ...manifest, files: [manifest.files[0]!] };
      const error = await installModels(comfy, only, { env: { HF_ENDPOINT: fake.url }, retries: 0 }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ProviderError);
      expect((error as ProviderError).transient).toBe(true);
      expect((error as ProviderError).shortMessage).toMatch(/run refrain models install again to resume/);
      expect((await stat(join(comfy, "models", "vae", "vae.safetensors.partial"))).size).toBe(120_000);
      expect(existsSync(join(comfy, "models", "vae", "vae.safetensors"))).toBe(false);
      await installModels(comfy, only, { env: { HF_ENDPOINT: fake.url }, retries: 0 });
      expect(await readFile(join(comfy, "models", "vae", "vae.safetensors"))).toEqual(vaeBytes);
      expect(fake.requests.at(-1)?.range).toBe("bytes=120000-");
    } finally {
      await fake.close();
    }
  });

  test("a corrupted download is rejected by its sha256, deleted, and never put in place", async () => {
    const fake = await startFakeModelFiles({ files, corrupt: [vaePath] });
    try {
      const error = await installModels(comfy, manifest, { env: { HF_ENDPOINT: fake.url } }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ProviderError);
      expect((error as ProviderError).shortMessage).toMatch(
        /vae\/vae.safetensors .* has sha256 [0-9a-f]{64}, not /,
      );
      expect((error as ProviderError).shortMessage).not.toContain("\n");
      expect(existsSync(join(comfy, "models", "vae", "vae.safetensors"))).toBe(false);
      expect(existsSync(join(comfy, "models", "vae", "vae.safetensors.partial"))).toBe(false);
    } finally {
      await fake.close();
    }
  });

  test("a file trusted on first use must match its recorded hash afterwards", async () => {
    const good = await startFakeModelFiles({ files });
    await installModels(comfy, manifest, { env: { HF_ENDPOINT: good.url } });
    await good.close();
    await rm(join(comfy, "models", "diffusion_models", "unet.safetensors"));
    const bad = await startFakeModelFiles({ files, corrupt: [unetPath] });
    try {
      await expect(installModels(comfy, manifest, { env: { HF_ENDPOINT: bad.url } })).rejects.toThrow(
        /first download/,
      );
      expect(JSON.parse(await readFile(join(comfy, "models", LOCK_NAME), "utf8")).version).toBe(1);
    } finally {
      await bad.close();
    }
  });

  test("a missing file on the mirror is a clear 404 naming HF_ENDPOINT", async () => {
    const fake = await startFakeModelFiles({ files: {} });
    try {
      await expect(installModels(comfy, manifest, { env: { HF_ENDPOINT: fake.url } })).rejects.toThrow(
        /does not exist \(HTTP 404\) — check HF_ENDPOINT/,
      );
    } finally {
      await fake.close();
    }
  });

  test("HTTP_PROXY is honoured: every download goes through the proxy", async () => {
    const fake = await startFakeModelFiles({ files, redirect: true });
    const seen: string[] = [];
    const proxy = loopbackProxy(seen);
    const proxyUrl = await listenLoopback(proxy);
    try {
      await installModels(comfy, manifest, { env: { HF_ENDPOINT: fake.url, HTTP_PROXY: proxyUrl } });
      expect(await readFile(join(comfy, "models", "vae", "vae.safetensors"))).toEqual(vaeBytes);
      const port = new URL(fake.url).port;
      expect(seen.length).toBeGreaterThan(0);
      expect(seen.every((s) => s.includes(`127.0.0.1:${port}`))).toBe(true);
    } finally {
      await closeServer(proxy);
      await fake.close();
    }
  });
});

/** A tiny HTTP proxy on loopback (CONNECT tunnels and absolute-URI requests), refusing anything but 127.0.0.1. */
function loopbackProxy(seen: string[]): Server {
  const server = createServer((req, res) => {
    const target = new URL(req.url ?? "");
    seen.push(`GET ${target.host}`);
    if (target.hostname !== "127.0.0.1") {
      res.writeHead(403).end();
      return;
    }
    const upstream = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname + target.search,
        method: req.method,
        headers: req.headers,
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    req.pipe(upstream);
  });
  server.on("connect", (req, client, head) => {
    seen.push(`CONNECT ${req.url}`);
    const [host, port] = (req.url ?? "").split(":");
    if (host !== "127.0.0.1") {
      client.end("HTTP/1.1 403 Forbidden\r\n\r\n");
      return;
    }
    const upstream = connect(Number(port), host, () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on("error", () => client.destroy());
    client.on("error", () => upstream.destroy());
  });
  return server;
}
