// The web shell's server: serves an xterm.js page and one WebSocket on 127.0.0.1 (random free
// port), all behind a random token. One viewer at a time: a second page is told why and closed.
import fs from "node:fs/promises";
import http from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { WebSocketServer, type WebSocket } from "ws";
import { repoRoot } from "../paths.js";
import { checkAccess, newToken } from "./access.js";

/** Close code for a refused second viewer (4000-4999: application codes). */
export const BUSY_CLOSE_CODE = 4409;
export const BUSY_REASON = "another page is already attached to this VM; close it first";

const require = createRequire(import.meta.url);

function staticFiles(): Record<string, { file: string; type: string }> {
  const xterm = path.dirname(require.resolve("@xterm/xterm/package.json"));
  const own = path.join(repoRoot, "src", "web", "static");
  return {
    "/": { file: path.join(own, "index.html"), type: "text/html; charset=utf-8" },
    "/client.js": { file: path.join(own, "client.js"), type: "text/javascript; charset=utf-8" },
    "/xterm.js": { file: path.join(xterm, "lib", "xterm.js"), type: "text/javascript; charset=utf-8" },
    "/xterm.css": { file: path.join(xterm, "css", "xterm.css"), type: "text/css; charset=utf-8" },
  };
}

export interface WebShellServer {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

export interface WebServerOptions {
  /** The one viewer; called for the first accepted WebSocket only. */
  onViewer(socket: WebSocket): void;
  log?: (line: string) => void;
}

export async function startWebServer(opts: WebServerOptions): Promise<WebShellServer> {
  const token = newToken();
  const files = staticFiles();
  let port = 0;
  let viewer: WebSocket | null = null;
  const wss = new WebSocketServer({ noServer: true });

  const facts = (req: http.IncomingMessage, websocket: boolean) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    return { url, verdict: checkAccess({ host: req.headers.host, origin: req.headers.origin, token: url.searchParams.get("token"), websocket }, port, token) };
  };

  const server = http.createServer((req, res) => {
    const { url, verdict } = facts(req, false);
    if (!verdict.ok) {
      opts.log?.(`web: refused ${req.method} ${url.pathname}: ${verdict.reason}`);
      res.writeHead(403, { "content-type": "text/plain" }).end(`forbidden: ${verdict.reason}\n`);
      return;
    }
    const entry = req.method === "GET" ? files[url.pathname] : undefined;
    if (!entry) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
      return;
    }
    fs.readFile(entry.file, "utf8").then((body) => {
      res.writeHead(200, { "content-type": entry.type, "cache-control": "no-store", "x-content-type-options": "nosniff" });
      res.end(url.pathname === "/" ? body.replaceAll("__TOKEN__", encodeURIComponent(token)) : body);
    }, (error: Error) => res.writeHead(500).end(`${error.message}\n`));
  });

  server.on("upgrade", (req, socket, head) => {
    const { url, verdict } = facts(req, true);
    if (!verdict.ok || url.pathname !== "/ws") {
      const reason = verdict.ok ? "no such endpoint" : verdict.reason;
      opts.log?.(`web: refused WebSocket: ${reason}`);
      socket.end(`HTTP/1.1 ${verdict.ok ? "404 Not Found" : "403 Forbidden"}\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\n${reason}\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      if (viewer) {
        // Policy: one viewer. Two keyboards on one shell surprise both users.
        ws.close(BUSY_CLOSE_CODE, BUSY_REASON);
        return;
      }
      viewer = ws;
      opts.onViewer(ws);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    async close() {
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
