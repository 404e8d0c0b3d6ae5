// A seam of ours, not a cache implementation: a tiny HTTP server in front of a real cache's files
// (nginx's data directory) that serves the records whole and, for blobs, sends the headers and
// half the body, then destroys the connection, every time: a server that goes down mid-download.
import fs from "node:fs/promises";
import http from "node:http";
import type net from "node:net";
import path from "node:path";

export interface DyingCache {
  url: string;
  /** Blob requests it cut short. */
  cut: number;
  close(): Promise<void>;
}

export async function dyingCache(dataDir: string): Promise<DyingCache> {
  const sockets = new Set<net.Socket>();
  const state = { cut: 0 };
  const server = http.createServer(async (req, res) => {
    const rel = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname).replace(/^\/+/, "");
    const body = /^(ac|cas)\/[0-9a-f]{64}$/.test(rel) ? await fs.readFile(path.join(dataDir, rel)).catch(() => null) : null;
    if (body === null) return void res.writeHead(404).end();
    res.writeHead(200, { "content-length": body.length, "content-type": "application/octet-stream" });
    if (req.method === "HEAD" || rel.startsWith("ac/")) return void res.end(req.method === "HEAD" ? undefined : body);
    state.cut++;
    res.write(body.subarray(0, Math.floor(body.length / 2)), () => setTimeout(() => req.socket.destroy(), 20));
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    get cut() {
      return state.cut;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
