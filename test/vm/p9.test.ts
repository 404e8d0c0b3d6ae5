// The 9P2000.L codec and host-directory server, driven with real messages over real temp dirs.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { ERRNO } from "../../src/vm/p9/errno.js";
import { HostShare, hostOpenFlags, opensForWriting } from "../../src/vm/p9/host-share.js";
import { P9, Reader, readHeader, Writer, WireError } from "../../src/vm/p9/wire.js";
import { tempDir } from "../helpers/provisioned.js";

/** A minimal client: builds T-messages, checks the reply type, returns its body. */
class Client {
  private tag = 1;
  constructor(readonly share: HostShare) {}

  async call(type: number, body: (w: Writer) => void): Promise<Reader> {
    const w = new Writer().u32(0).u8(type).u16(this.tag++);
    body(w);
    const { header, body: r } = readHeader(await this.share.handle(w.finish()));
    if (header.type === P9.Rlerror) throw Object.assign(new Error(`errno ${r.u32()}`), { errno: -1 });
    assert.equal(header.type, type + 1);
    return r;
  }

  async errno(type: number, body: (w: Writer) => void): Promise<number> {
    const w = new Writer().u32(0).u8(type).u16(this.tag++);
    body(w);
    const { header, body: r } = readHeader(await this.share.handle(w.finish()));
    assert.equal(header.type, P9.Rlerror, "expected an error reply");
    return r.u32();
  }

  async attach(): Promise<void> {
    const v = await this.call(P9.Tversion, (w) => w.u32(512000).str("9P2000.L"));
    assert.equal(v.u32(), 512000);
    assert.equal(v.str(), "9P2000.L");
    await this.call(P9.Tattach, (w) => w.u32(0).u32(0xffffffff).str("root").str("").u32(0));
  }

  walk(fid: number, newFid: number, names: string[]): Promise<Reader> {
    return this.call(P9.Twalk, (w) => { w.u32(fid).u32(newFid).u16(names.length); for (const n of names) w.str(n); });
  }

  async getattrMode(fid: number): Promise<number> {
    const r = await this.call(P9.Tgetattr, (w) => w.u32(fid).u64(0x7ff));
    r.u64(); r.bytes(13);
    return r.u32();
  }

  async readAll(fid: number): Promise<string> {
    await this.call(P9.Tlopen, (w) => w.u32(fid).u32(0));
    const r = await this.call(P9.Tread, (w) => w.u32(fid).u64(0).u32(256 * 1024));
    return new TextDecoder().decode(r.bytes(r.u32()));
  }

  async readdir(fid: number): Promise<string[]> {
    await this.call(P9.Tlopen, (w) => w.u32(fid).u32(0o200000));
    const names: string[] = [];
    let offset = 0n;
    for (;;) {
      const r = await this.call(P9.Treaddir, (w) => w.u32(fid).u64(offset).u32(64));
      const count = r.u32();
      if (count === 0) return names;
      const data = new Reader(r.bytes(count));
      for (let used = 0; used < count;) {
        data.bytes(13); offset = data.u64(); data.u8();
        const name = data.str();
        names.push(name);
        used += 13 + 8 + 1 + 2 + Buffer.byteLength(name);
      }
    }
  }
}

test("the codec round-trips fields and refuses truncated or mis-sized messages", () => {
  const msg = new Writer().u32(0).u8(P9.Twalk).u16(7).u32(1).u32(2).u16(2).str("a").str("é").finish();
  const { header, body } = readHeader(msg);
  assert.deepEqual(header, { size: msg.byteLength, type: P9.Twalk, tag: 7 });
  assert.deepEqual([body.u32(), body.u32(), body.u16(), body.str(), body.str()], [1, 2, 2, "a", "é"]);
  assert.throws(() => body.u8(), WireError);
  assert.throws(() => readHeader(msg.subarray(0, msg.byteLength - 1)), /says/);
  const big = new Writer().u32(0).u64(2n ** 63n + 5n).finish();
  assert.equal(new Reader(big, 4).u64(), 2n ** 63n + 5n);
  // Growing past the first buffer keeps every field (bytes and numbers written after a growth).
  const payload = Uint8Array.from({ length: 70_000 }, (_, i) => i % 251);
  const grown = new Writer().u32(0).u8(1).bytes(payload).u32(0xdeadbeef).finish();
  const back = new Reader(grown, 5);
  assert.deepEqual(back.bytes(payload.byteLength), payload);
  assert.equal(back.u32(), 0xdeadbeef);
  assert.equal(new Reader(grown).u32(), grown.byteLength);
});

test("guest open flags map to host flags, and writes are recognised", () => {
  assert.equal(opensForWriting(0), false);
  assert.equal(opensForWriting(0o200000), false, "O_DIRECTORY reads");
  for (const flags of [1, 2, 0o1000, 0o2000, 0o100]) assert.equal(opensForWriting(flags), true, `flags ${flags.toString(8)}`);
  const { constants: C } = fs;
  assert.equal(hostOpenFlags(2 | 0o1000) & (C.O_RDWR | C.O_TRUNC), C.O_RDWR | C.O_TRUNC);
});

test("a read-only share serves files, listings and symlinks and refuses every change with EROFS", async () => {
  const dir = await tempDir("p9-ro");
  await fs.mkdir(path.join(dir, "recipe"));
  await fs.writeFile(path.join(dir, "recipe", "a.txt"), "hello");
  await fs.writeFile(path.join(dir, "big"), "x".repeat(100_000));
  await fs.writeFile(path.join(dir, "tool"), "#!/bin/sh\n", { mode: 0o755 });
  await fs.symlink("a.txt", path.join(dir, "recipe", "link"));
  await fs.symlink("/etc", path.join(dir, "escape"));
  const c = new Client(new HostShare(dir, true));
  await c.attach();

  await c.walk(0, 1, ["recipe", "a.txt"]);
  assert.equal(await c.readAll(1), "hello");
  await c.walk(0, 10, ["big"]);
  assert.equal(await c.readAll(10), "x".repeat(100_000), "a read larger than the first reply buffer");
  await c.walk(0, 2, ["tool"]);
  assert.equal((await c.getattrMode(2)) & 0o777, 0o755, "exec bits are served");
  await c.walk(0, 3, ["recipe", "link"]);
  assert.equal((await c.call(P9.Treadlink, (w) => w.u32(3))).str(), "a.txt");
  await c.walk(0, 4, ["recipe"]);
  assert.deepEqual(await c.readdir(4), [".", "..", "a.txt", "link"]);

  // ".." stops at the root; walking through a host symlink is refused (no escape to /etc).
  await c.walk(0, 5, ["..", "..", "recipe"]);
  const partial = await c.walk(0, 6, ["escape", "passwd"]);
  assert.equal(partial.u16(), 1, "the walk stops at the symlink");
  assert.equal(await c.errno(P9.Tgetattr, (w) => w.u32(6).u64(0x7ff)), ERRNO.EBADF, "a partial walk makes no fid");
  assert.equal(await c.errno(P9.Twalk, (w) => w.u32(0).u32(7).u16(1).str("a/b")), ERRNO.EINVAL);

  // Every kind of change: EROFS, and nothing appears on the host.
  await c.walk(0, 8, ["recipe", "a.txt"]);
  assert.equal(await c.errno(P9.Tlopen, (w) => w.u32(8).u32(1)), ERRNO.EROFS);
  assert.equal(await c.errno(P9.Tlopen, (w) => w.u32(8).u32(0o1000)), ERRNO.EROFS);
  await c.walk(0, 9, ["recipe"]);
  assert.equal(await c.errno(P9.Tlcreate, (w) => w.u32(9).str("new").u32(0o101).u32(0o644).u32(0)), ERRNO.EROFS);
  assert.equal(await c.errno(P9.Tmkdir, (w) => w.u32(0).str("d").u32(0o755).u32(0)), ERRNO.EROFS);
  assert.equal(await c.errno(P9.Tsymlink, (w) => w.u32(0).str("s").str("x").u32(0)), ERRNO.EROFS);
  assert.equal(await c.errno(P9.Tunlinkat, (w) => w.u32(0).str("tool").u32(0)), ERRNO.EROFS);
  assert.equal(await c.errno(P9.Trenameat, (w) => w.u32(0).str("tool").u32(0).str("tool2")), ERRNO.EROFS);
  assert.equal(await c.errno(P9.Tsetattr, (w) => w.u32(2).u32(1).u32(0o777).u32(0).u32(0).u64(0).u64(0).u64(0).u64(0).u64(0)), ERRNO.EROFS);
  assert.deepEqual((await fs.readdir(dir)).sort(), ["big", "escape", "recipe", "tool"]);
  assert.equal((await fs.stat(path.join(dir, "tool"))).mode & 0o777, 0o755);
  await fs.rm(dir, { recursive: true, force: true });
});

test("a writable share creates files with their exact modes, symlinks, dirs, renames and removals", async () => {
  const dir = await tempDir("p9-rw");
  const c = new Client(new HostShare(dir, false));
  await c.attach();
  await c.walk(0, 1, []);
  await c.call(P9.Tlcreate, (w) => w.u32(1).str("run.sh").u32(0o1101).u32(0o755).u32(0));
  const data = new TextEncoder().encode("#!/bin/sh\necho hi\n");
  const written = await c.call(P9.Twrite, (w) => w.u32(1).u64(0).u32(data.byteLength).bytes(data));
  assert.equal(written.u32(), data.byteLength);
  await c.call(P9.Tclunk, (w) => w.u32(1));
  await c.call(P9.Tsymlink, (w) => w.u32(0).str("link").str("run.sh").u32(0));
  await c.call(P9.Tmkdir, (w) => w.u32(0).str("sub").u32(0o750).u32(0));
  await c.walk(0, 2, ["sub"]);
  await c.call(P9.Tlcreate, (w) => w.u32(2).str("x").u32(0o101).u32(0o600).u32(0));
  await c.call(P9.Tclunk, (w) => w.u32(2));
  await c.call(P9.Trenameat, (w) => w.u32(0).str("sub").u32(0).str("renamed"));
  await c.walk(0, 3, ["renamed"]);
  await c.call(P9.Tunlinkat, (w) => w.u32(3).str("x").u32(0));
  await c.walk(0, 4, ["run.sh"]);
  await c.call(P9.Tsetattr, (w) => w.u32(4).u32(1).u32(0o700).u32(0).u32(0).u64(0).u64(0).u64(0).u64(0).u64(0));

  assert.equal(await fs.readFile(path.join(dir, "run.sh"), "utf8"), "#!/bin/sh\necho hi\n");
  assert.equal((await fs.stat(path.join(dir, "run.sh"))).mode & 0o7777, 0o700, "setattr mode, umask not applied");
  assert.equal(await fs.readlink(path.join(dir, "link")), "run.sh");
  assert.equal((await fs.stat(path.join(dir, "renamed"))).mode & 0o7777, 0o750);
  assert.deepEqual(await fs.readdir(path.join(dir, "renamed")), []);
  assert.deepEqual((await fs.readdir(dir)).sort(), ["link", "renamed", "run.sh"]);
  // A file left open by the guest is closed with the share.
  await c.walk(0, 5, ["run.sh"]);
  await c.call(P9.Tlopen, (w) => w.u32(5).u32(0));
  await c.share.close();
  assert.equal(await c.errno(P9.Tgetattr, (w) => w.u32(5).u64(0x7ff)), ERRNO.EBADF, "no fid survives close");
  // Unknown fids and device nodes are refused.
  assert.equal(await c.errno(P9.Tgetattr, (w) => w.u32(99).u64(0x7ff)), ERRNO.EBADF);
  assert.equal(await c.errno(P9.Tmknod, (w) => w.u32(0).str("dev").u32(0o20644).u32(1).u32(3).u32(0)), ERRNO.EPERM);
  await fs.rm(dir, { recursive: true, force: true });
});
