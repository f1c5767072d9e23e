// Small pieces every protocol-faithful fake shares: listening on loopback, reading bodies, replying, rendering clips.

import { rm } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** Starts an HTTP server on 127.0.0.1 (port 0 = any free port) and resolves with its base URL. */
export function listenLoopback(server: Server, port = 0): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      const { port: bound } = server.address() as AddressInfo;
      resolve(`http://127.0.0.1:${bound}`);
    });
  });
}

/** Closes a server and every connection still open on it (keep-alive sockets would hold close() forever). */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** Listens on loopback like listenLoopback; `close` stops the server, then removes the fake's scratch folder. */
export async function listenWithScratch(
  server: Server,
  port: number | undefined,
  scratch: string,
): Promise<{ url: string; close(): Promise<void> }> {
  const url = await listenLoopback(server, port);
  return {
    url,
    async close() {
      await closeServer(server);
      await rm(scratch, { recursive: true, force: true });
    },
  };
}

/** Reads a whole request body, refusing bodies over `limit` bytes (null = too large). */
export async function readBody(req: IncomingMessage, limit = 100 * 1024 * 1024): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Parses a multipart/form-data body with the runtime's own parser (undici's FormData). */
export async function parseMultipart(contentType: string, body: Buffer): Promise<FormData> {
  return new Response(body, { headers: { "content-type": contentType } }).formData();
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const text = JSON.stringify(value);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
  res.end(text);
}

export function sendText(res: ServerResponse, status: number, text: string, type = "text/plain"): void {
  res.writeHead(status, { "content-type": `${type}; charset=utf-8` });
  res.end(text);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export type { IncomingMessage, Server, ServerResponse };
export { createServer };
