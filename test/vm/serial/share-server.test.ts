// The serial transport's host side (src/vm/serial/share-server.ts) over real sockets, with a test
// client in QEMU's place: 9P framing on the stream, one connection per share, refusals, failures.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { after, test } from "node:test";
import { HostShare } from "../../../src/vm/p9/host-share.js";
import { P9, readHeader, Writer } from "../../../src/vm/p9/wire.js";
import { ShareServer } from "../../../src/vm/serial/share-server.js";
import type { SerialChannel } from "../../../src/vm/share-transport.js";
import { tempDir } from "../../helpers/home.js";

const cleanup: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const step of cleanup.reverse()) await step();
});

async function server(channel: SerialChannel, extra: { dieAfterMessages?: number } = {}) {
  const dir = await tempDir("share-server");
  await fs.writeFile(path.join(dir, "hello.txt"), "hello\n");
  const failures: string[] = [];
  const s = await ShareServer.listen({ label: "root", share: new HostShare(dir, true), channel, dir, onFailure: (why) => failures.push(why), ...extra });
  cleanup.push(() => fs.rm(dir, { recursive: true, force: true }), () => s.close());
  return { server: s, failures };
}

/** Connects where QEMU would, from the chardev options. */
function connect(chardev: string): Promise<net.Socket> {
  const socketPath = /^path=(.*)$/.exec(chardev)?.[1]?.replaceAll(",,", ",");
  const port = /port=(\d+)/.exec(chardev)?.[1];
  return new Promise((resolve, reject) => {
    const socket = socketPath ? net.connect(socketPath) : net.connect(Number(port), "127.0.0.1");
    socket.once("connect", () => resolve(socket));
    socket.once("error", reject);
  });
}

/** Collects the replies on `socket` until `count` whole ones arrived. */
function replies(socket: net.Socket, count: number): Promise<Array<{ type: number; tag: number }>> {
  return new Promise((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    const got: Array<{ type: number; tag: number }> = [];
    socket.on("data", (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.byteLength >= 4 && buffered.byteLength >= buffered.readUInt32LE(0)) {
        const size = buffered.readUInt32LE(0);
        const { header } = readHeader(Uint8Array.from(buffered.subarray(0, size)));
        got.push({ type: header.type, tag: header.tag });
        buffered = buffered.subarray(size);
      }
      if (got.length >= count) resolve(got);
    });
    socket.once("close", () => reject(new Error(`closed after ${got.length} replies`)));
  });
}

const closed = (socket: net.Socket) => new Promise<void>((resolve) => (socket.destroyed ? resolve() : socket.once("close", () => resolve())));

const version = () => new Writer().u32(0).u8(P9.Tversion).u16(0xffff).u32(512000).str("9P2000.L").finish();
const attach = (tag: number) => new Writer().u32(0).u8(P9.Tattach).u16(tag).u32(0).u32(0xffffffff).str("root").str("").u32(0).finish();
const statfs = (tag: number, fid: number) => new Writer().u32(0).u8(P9.Tstatfs).u16(tag).u32(fid).finish();

for (const channel of ["unix", "tcp"] as const) {
  test(`${channel}: requests split and coalesced on the stream are answered in order`, async () => {
    const { server: s, failures } = await server(channel);
    assert.match(s.chardev, channel === "unix" ? /^path=.*\/root-[0-9a-f]{12}\.sock$/ : /^host=127\.0\.0\.1,port=\d+,nodelay=on$/);
    s.accept();
    const client = await connect(s.chardev);
    cleanup.push(async () => client.destroy());
    const answers = replies(client, 3);
    const stream = Buffer.concat([version(), attach(1), statfs(2, 77)]);
    // The first message in two pieces, the next two together with the end of the first.
    client.write(stream.subarray(0, 5));
    await new Promise((resolve) => setTimeout(resolve, 20));
    client.write(stream.subarray(5));
    assert.deepEqual(await answers, [
      { type: P9.Tversion + 1, tag: 0xffff },
      { type: P9.Tattach + 1, tag: 1 },
      // No fid 77: an error reply, still in order.
      { type: P9.Rlerror, tag: 2 },
    ]);
    assert.equal(s.messages, 3);
    assert.deepEqual(failures, []);
  });
}

test("a connection before QEMU is started is refused, and so is a second one", async () => {
  const { server: s } = await server("tcp");
  const early = await connect(s.chardev);
  await closed(early);
  s.accept();
  const qemu = await connect(s.chardev);
  cleanup.push(async () => qemu.destroy());
  const answer = replies(qemu, 1);
  qemu.write(version());
  await answer;
  assert.ok(s.connected);
  // The listener is gone once the one connection is taken: a stray client cannot even connect.
  await assert.rejects(connect(s.chardev), /ECONNREFUSED/);
  assert.equal(s.refusedConnections, 1);
});

test("garbage on the stream closes the connection and reports the share and the reason", async () => {
  const { server: s, failures } = await server("unix");
  s.accept();
  const client = await connect(s.chardev);
  client.write(Buffer.from("GET / HTTP/1.1\r\n\r\n"));
  await closed(client);
  assert.equal(failures.length, 1);
  assert.match(failures[0]!, /^root share: 9p frame of \d+ bytes exceeds the largest message allowed \(\d+\) after 0 messages$/);
  assert.equal(s.failure, failures[0]);
});

test("a server that dies after N messages drops the connection and says so", async () => {
  const { server: s, failures } = await server("unix", { dieAfterMessages: 2 });
  s.accept();
  const client = await connect(s.chardev);
  const answers = replies(client, 2).then((got) => `got ${got.length}`, (err: Error) => err.message);
  client.write(Buffer.concat([version(), attach(1), attach(2)]));
  await closed(client);
  // Nothing after the death gets out (the first reply may or may not have been written by then).
  assert.match(await answers, /^closed after [01] replies$/);
  assert.deepEqual(failures, ["root share: the server stopped after 2 messages (injected fault)"]);
});
