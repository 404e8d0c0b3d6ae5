// The cache's HTTP transport against a scripted server of ours: retries with backoff on 5xx and
// dropped connections, no retry on a refusal, an idle timeout, and a body cut off at its limit.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import http from "node:http";
import type net from "node:net";
import path from "node:path";
import { test } from "node:test";
import { CacheHttp, CacheOversize, CacheRefused, CacheUnreachable } from "../../src/cache/http-client.js";
import { tempHome } from "../helpers/store-entries.js";

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, n: number) => void;

/** A server that answers: the client's idle timeout is far beyond any pause a loaded host makes, so
 *  a slow answer is never a timeout (and another attempt the script did not expect). */
const ANSWERS_MS = 60_000;

/** `timeoutMs` short only for a server that never answers: then the outcome is the same however
 *  long the host takes, and the test does not wait a minute per attempt. */
async function scripted(t: { after(fn: () => Promise<void>): void }, handler: Handler, timeoutMs = ANSWERS_MS): Promise<{ client: CacheHttp; requests: string[] }> {
  const requests: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url} ${req.headers.authorization ?? "-"}`);
    handler(req, res, requests.length);
  });
  server.on("connection", (s) => sockets.add(s));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  const { port } = server.address() as net.AddressInfo;
  const client = new CacheHttp({ base: new URL(`http://127.0.0.1:${port}/prefix/`), authorization: "Bearer t", timeoutMs, attempts: 3, progress: false, backoffMs: 10 });
  return { client, requests };
}

test("5xx and dropped connections are retried with backoff; a refusal is not", async (t) => {
  const { client, requests } = await scripted(t, (req, res, n) => {
    if (n === 1) return void res.writeHead(503).end();
    if (n === 2) return void req.socket.destroy();
    res.writeHead(200).end("record");
  });
  assert.equal((await client.getBytes("ac/k", 100))?.toString(), "record");
  assert.deepEqual(requests, ["GET /prefix/ac/k Bearer t", "GET /prefix/ac/k Bearer t", "GET /prefix/ac/k Bearer t"]);

  const refused = await scripted(t, (_req, res) => void res.writeHead(403).end());
  await assert.rejects(refused.client.put("ac/k", { bytes: Buffer.from("x"), contentType: "application/json" }, "x"), (e: unknown) => e instanceof CacheRefused && e.status === 403 && e.message === "PUT ac/k: HTTP 403 Forbidden");
  assert.equal(refused.requests.length, 1);
  const missing = await scripted(t, (_req, res) => void res.writeHead(404).end());
  assert.equal(await missing.client.getBytes("ac/k", 10), null);
  assert.equal(await missing.client.has("cas/k"), false);
});

test("a server that keeps failing, or goes silent, is unreachable after the last attempt", async (t) => {
  const failing = await scripted(t, (_req, res) => void res.writeHead(500).end());
  await assert.rejects(failing.client.has("cas/k"), (e: unknown) => e instanceof CacheUnreachable && e.message === "HEAD cas/k: HTTP 500 (3 attempts)");
  const silent = await scripted(t, () => {}, 300);
  await assert.rejects(silent.client.getBytes("ac/k", 10), (e: unknown) => e instanceof CacheUnreachable && /no data for 0\.3 s \(3 attempts\)$/.test(e.message));
});

test("a streamed download is hashed on the way and cut off past its expected size", async (t) => {
  const dir = await tempHome(t, "http");
  const body = Buffer.alloc(100_000, 7);
  const { client } = await scripted(t, (_req, res) => void res.writeHead(200, { "content-length": body.length }).end(body));
  const got = await client.download("cas/k", path.join(dir, "blob"), body.length, "blob");
  assert.equal(got?.size, body.length);
  assert.equal(got?.sha256, (await import("node:crypto")).createHash("sha256").update(body).digest("hex"));
  assert.deepEqual(await fs.readFile(path.join(dir, "blob")), body);
  await assert.rejects(client.download("cas/k", path.join(dir, "blob2"), 1000, "blob"), (e: unknown) => e instanceof CacheOversize && /sent more than the 1000 bytes its record names/.test(e.message));
  await assert.rejects(client.getBytes("ac/k", 1000), /sent more than 1000 bytes/);
});

test("a PUT streams a file with its length", async (t) => {
  const dir = await tempHome(t, "http-put");
  await fs.writeFile(path.join(dir, "blob"), Buffer.alloc(300_000, 1));
  let received = 0;
  let length = "";
  const { client } = await scripted(t, (req, res) => {
    length = req.headers["content-length"] ?? "";
    req.on("data", (chunk: Buffer) => (received += chunk.length));
    req.on("end", () => res.writeHead(201).end());
  });
  await client.put("cas/k", { file: path.join(dir, "blob") }, "blob");
  assert.equal(received, 300_000);
  assert.equal(length, "300000");
});
