// The web shell's server on its own (no VM): token, Host and Origin checks, and the one-viewer
// policy, against the real HTTP and WebSocket server.
import assert from "node:assert/strict";
import { test } from "node:test";
import WebSocket from "ws";
import { BUSY_CLOSE_CODE, startWebServer } from "../../src/web/server.js";

function connect(url: string, origin: string): Promise<{ socket: WebSocket } | { status: number }> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url, { origin });
    socket.once("open", () => resolve({ socket }));
    socket.once("unexpected-response", (_req, res) => resolve({ status: res.statusCode ?? 0 }));
    socket.once("error", () => {});
  });
}

test("the page is served only with the right token", async () => {
  const server = await startWebServer({ onViewer: () => {} });
  try {
    const good = await fetch(server.url);
    assert.equal(good.status, 200);
    const page = await good.text();
    assert.match(page, /xterm\.js\?token=/);
    assert.ok(page.includes(server.token), "the page passes the token on to its scripts");
    assert.equal((await fetch(`http://127.0.0.1:${server.port}/?token=wrong`)).status, 403);
    assert.equal((await fetch(`http://127.0.0.1:${server.port}/`)).status, 403);
    assert.equal((await fetch(`http://127.0.0.1:${server.port}/xterm.js`)).status, 403);
    assert.equal((await fetch(`http://127.0.0.1:${server.port}/xterm.js?token=${server.token}`)).status, 200);
    assert.equal((await fetch(server.url, { headers: { origin: "http://evil.example" } })).status, 403);
  } finally {
    await server.close();
  }
});

test("WebSockets need the token and our exact origin; a second viewer is refused with a reason", async () => {
  const viewers: WebSocket[] = [];
  const server = await startWebServer({ onViewer: (socket) => viewers.push(socket) });
  const ws = `ws://127.0.0.1:${server.port}/ws`;
  const origin = `http://127.0.0.1:${server.port}`;
  try {
    assert.deepEqual(await connect(`${ws}?token=wrong`, origin), { status: 403 });
    assert.deepEqual(await connect(`${ws}?token=${server.token}`, "http://localhost:1234"), { status: 403 });
    assert.deepEqual(await connect(`${ws}?token=${server.token}`, `http://127.0.0.1:${server.port + 1}`), { status: 403 });
    assert.equal(viewers.length, 0);

    const first = await connect(`${ws}?token=${server.token}`, origin);
    assert.ok("socket" in first);
    const second = await connect(`${ws}?token=${server.token}`, origin);
    assert.ok("socket" in second);
    const closed = await new Promise<{ code: number; reason: string }>((resolve) => second.socket.once("close", (code, reason) => resolve({ code, reason: String(reason) })));
    assert.equal(closed.code, BUSY_CLOSE_CODE);
    assert.match(closed.reason, /another page is already attached/);
    assert.equal(viewers.length, 1, "only the first page reaches the VM");
    first.socket.close();
  } finally {
    await server.close();
  }
});
