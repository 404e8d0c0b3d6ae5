// A 9P2000.L server over one host directory, read-only or writable. It backs the v86 guest's
// root (read-only: the stage's declared inputs) and /out (writable), and needs nothing but Node,
// so it could also serve QEMU on Windows, which has no `-fsdev local`.
//
// Safety (the guest is not trusted; each rule has a regression test under test/vm/p9-*.test.ts):
// - The guest names files only by walking one component at a time from the root; ".." stops at
//   the root and every name is checked against the host's rules (names.ts).
// - Every use of a fid re-checks its path on the host: each directory on the way must be a real
//   directory, and the entry itself is never followed if it is a symlink (share-fs.ts). So a
//   symlink the guest made, anywhere in a path, is never followed on the host; the guest reads
//   its links and resolves them itself, inside its own view.
// - A rename moves every fid below the old name with it (fid-table.ts).
// - Permission bits are masked to 0o777: no setuid, setgid or sticky file appears on the host;
//   device nodes, FIFOs and sockets cannot be made (Tmknod: EPERM).
// - Every file is reported as owned by root, so no host uid leaks in.
import { constants as C } from "node:fs";
import fs from "node:fs/promises";
import { ERRNO, linuxErrno, P9Error } from "./errno.js";
import { FidTable, type DirEntry } from "./fid-table.js";
import { checkName, hostPlatform, type SharePlatform } from "./names.js";
import { ShareFs } from "./share-fs.js";
import { direntSize, errorReply, HEADER_SIZE, NOTAG, P9, QID_DIR, QID_FILE, QID_SYMLINK, readHeader, reply, type Qid, type Reader, type Writer } from "./wire.js";

/** Largest message we accept; the guest asks for 512000 (see kernelCommandLine). */
export const MAX_MSIZE = 512 * 1024;
const V9FS_MAGIC = 0x01021997;
const AT_REMOVEDIR = 0x200;
// Linux open flags as 9P2000.L carries them (the guest's numbering, not the host's).
const L_ACCMODE = 3, L_WRONLY = 1, L_RDWR = 2, L_CREAT = 0o100, L_EXCL = 0o200, L_TRUNC = 0o1000, L_APPEND = 0o2000;
// Tsetattr `valid` bits.
const SET_MODE = 0x1, SET_SIZE = 0x8, SET_ATIME = 0x10, SET_MTIME = 0x20, SET_ATIME_SET = 0x80, SET_MTIME_SET = 0x100;
const GETATTR_BASIC = 0x7ffn;
/** Permission bits only: setuid, setgid and sticky never reach the host. */
const PERMISSIONS = 0o777;

type BigStats = import("node:fs").BigIntStats;
type Ok = (extra?: (w: Writer) => void) => Uint8Array;

function qidOf(st: BigStats): Qid {
  const type = st.isDirectory() ? QID_DIR : st.isSymbolicLink() ? QID_SYMLINK : QID_FILE;
  return { type, version: 0, path: st.ino };
}

function direntType(st: BigStats): number {
  return st.isDirectory() ? 4 : st.isSymbolicLink() ? 10 : st.isFIFO() ? 1 : st.isCharacterDevice() ? 2 : st.isBlockDevice() ? 6 : st.isSocket() ? 12 : 8;
}

/** Host open flags for the guest's Linux flags (the host's O_NOFOLLOW is added on open). */
export function hostOpenFlags(linux: number): number {
  const acc = linux & L_ACCMODE;
  let flags = acc === L_WRONLY ? C.O_WRONLY : acc === L_RDWR ? C.O_RDWR : C.O_RDONLY;
  if (linux & L_TRUNC) flags |= C.O_TRUNC;
  if (linux & L_APPEND) flags |= C.O_APPEND;
  if (linux & L_CREAT) flags |= C.O_CREAT;
  if (linux & L_EXCL) flags |= C.O_EXCL;
  return flags;
}

/** Does opening with these guest flags change the file? */
export function opensForWriting(linux: number): boolean {
  return (linux & L_ACCMODE) !== 0 || (linux & (L_TRUNC | L_CREAT | L_APPEND)) !== 0;
}

export interface HostShareOptions {
  /** Whose file-name rules apply (default: this host's). */
  platform?: SharePlatform;
}

export class HostShare {
  private readonly fids = new FidTable();
  private readonly host: ShareFs;
  private readonly platform: SharePlatform;
  private msize = 8192;
  /** Requests run one at a time, in arrival order: the guest may pipeline them. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly root: string, readonly readOnly: boolean, options: HostShareOptions = {}) {
    this.host = new ShareFs(root);
    this.platform = options.platform ?? hostPlatform();
  }

  /** Answers one request message with one reply message (Rlerror on failure). */
  handle(msg: Uint8Array): Promise<Uint8Array> {
    const next = this.queue.then(() => this.dispatch(msg));
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Closes every file the guest left open (a VM that stops never clunks its fids). */
  async close(): Promise<void> {
    await this.queue;
    await this.fids.clear();
  }

  private async dispatch(msg: Uint8Array): Promise<Uint8Array> {
    let tag = NOTAG;
    try {
      const { header, body } = readHeader(msg);
      tag = header.tag;
      return await this.serve(header.type, tag, body);
    } catch (err) {
      return errorReply(tag, linuxErrno(err));
    }
  }

  private writable(): void {
    if (this.readOnly) throw new P9Error(ERRNO.EROFS);
  }

  /** Names of a new entry `name` in directory fid `dirId` (the name checked for this host). */
  private child(dirId: number, name: string): string[] {
    return [...this.fids.get(dirId).names, checkName(name, this.platform)];
  }

  private async serve(type: number, tag: number, r: Reader): Promise<Uint8Array> {
    const ok: Ok = (extra) => {
      const w = reply(type + 1, tag);
      extra?.(w);
      return w.finish();
    };
    switch (type) {
      case P9.Tversion: {
        const msize = r.u32();
        const version = r.str();
        this.msize = Math.min(msize, MAX_MSIZE);
        await this.fids.clear();
        return ok((w) => w.u32(this.msize).str(version.startsWith("9P2000.L") ? "9P2000.L" : "unknown"));
      }
      case P9.Tattach: {
        const fid = r.u32();
        const st = await this.host.lstat([]);
        await this.fids.set(fid, { names: [] });
        return ok((w) => w.qid(qidOf(st)));
      }
      case P9.Twalk: return this.walk(r, ok);
      case P9.Tgetattr: {
        const st = await this.host.lstat(this.fids.get(r.u32()).names);
        const sec = (ns: bigint) => ns / 1_000_000_000n;
        const nsec = (ns: bigint) => ns % 1_000_000_000n;
        return ok((w) => w.u64(GETATTR_BASIC).qid(qidOf(st)).u32(Number(st.mode)).u32(0).u32(0)
          .u64(st.nlink).u64(st.rdev).u64(st.size).u64(4096).u64(st.blocks)
          .u64(sec(st.atimeNs)).u64(nsec(st.atimeNs)).u64(sec(st.mtimeNs)).u64(nsec(st.mtimeNs))
          .u64(sec(st.ctimeNs)).u64(nsec(st.ctimeNs)).u64(0).u64(0).u64(0).u64(0));
      }
      case P9.Tsetattr: return this.setattr(r, ok);
      case P9.Tlopen: {
        const id = r.u32(), flags = r.u32();
        const fid = this.fids.get(id);
        const st = await this.host.lstat(fid.names);
        if (st.isDirectory()) fid.entries = await this.listDir(fid.names, st);
        else {
          if (opensForWriting(flags)) this.writable();
          fid.file = await this.host.open(fid.names, hostOpenFlags(flags & ~(L_CREAT | L_EXCL)));
        }
        return ok((w) => w.qid(qidOf(st)).u32(0));
      }
      case P9.Tlcreate: {
        const id = r.u32(), name = r.str(), flags = r.u32(), mode = r.u32();
        this.writable();
        const names = this.child(id, name);
        const handle = await this.host.open(names, hostOpenFlags(flags | L_CREAT | L_EXCL), 0o600);
        // The host's umask must not change what the guest asked for (exec bits survive).
        await handle.chmod(mode & PERMISSIONS);
        const fid = this.fids.get(id);
        fid.names = names;
        fid.file = handle;
        return this.qidReply(type, tag, names, (w) => w.u32(0));
      }
      case P9.Tsymlink: {
        const dir = r.u32(), name = r.str(), target = r.str();
        this.writable();
        const names = this.child(dir, name);
        await fs.symlink(target, await this.host.resolve(names));
        return this.qidReply(type, tag, names);
      }
      case P9.Tmknod: this.writable(); throw new P9Error(ERRNO.EPERM, "no device nodes, FIFOs or sockets on the share");
      case P9.Tmkdir: {
        const dir = r.u32(), name = r.str(), mode = r.u32();
        this.writable();
        const names = this.child(dir, name);
        await fs.mkdir(await this.host.resolve(names), 0o700);
        await this.host.chmod(names, mode & PERMISSIONS);
        return this.qidReply(type, tag, names);
      }
      case P9.Treadlink: {
        const target = await fs.readlink(await this.host.resolve(this.fids.get(r.u32()).names));
        return ok((w) => w.str(target));
      }
      case P9.Trename: {
        const fid = this.fids.get(r.u32()), dir = r.u32(), name = r.str();
        this.writable();
        await this.rename(fid.names, this.child(dir, name));
        return ok();
      }
      case P9.Trenameat: {
        const from = this.child(r.u32(), r.str());
        const to = this.child(r.u32(), r.str());
        this.writable();
        await this.rename(from, to);
        return ok();
      }
      case P9.Tlink: {
        const dir = r.u32(), target = this.fids.get(r.u32()), name = r.str();
        this.writable();
        await fs.link(await this.host.resolve(target.names), await this.host.resolve(this.child(dir, name)));
        return ok();
      }
      case P9.Tunlinkat: {
        const names = this.child(r.u32(), r.str());
        const flags = r.u32();
        this.writable();
        const file = await this.host.resolve(names);
        await (flags & AT_REMOVEDIR ? fs.rmdir(file) : fs.unlink(file));
        return ok();
      }
      case P9.Tremove: {
        const id = r.u32();
        const { names } = this.fids.get(id);
        await this.fids.drop(id);
        this.writable();
        if (names.length === 0) throw new P9Error(ERRNO.EPERM, "cannot remove the share's root");
        const st = await this.host.lstat(names);
        const file = await this.host.resolve(names);
        await (st.isDirectory() ? fs.rmdir(file) : fs.unlink(file));
        return ok();
      }
      case P9.Tread: {
        const fid = this.fids.get(r.u32());
        const offset = r.u64(), count = Math.min(r.u32(), this.msize - HEADER_SIZE - 4);
        if (!fid.file) throw new P9Error(ERRNO.EBADF, "read of an unopened fid");
        const data = new Uint8Array(count);
        const { bytesRead } = await fid.file.read(data, 0, count, Number(offset));
        return ok((w) => w.u32(bytesRead).bytes(data.subarray(0, bytesRead)));
      }
      case P9.Twrite: {
        const fid = this.fids.get(r.u32());
        const offset = r.u64(), count = r.u32();
        const data = r.bytes(count);
        this.writable();
        if (!fid.file) throw new P9Error(ERRNO.EBADF, "write to an unopened fid");
        const { bytesWritten } = await fid.file.write(data, 0, count, Number(offset));
        return ok((w) => w.u32(bytesWritten));
      }
      case P9.Treaddir: return this.readdir(r, ok);
      case P9.Tclunk: {
        await this.fids.drop(r.u32());
        return ok();
      }
      case P9.Tstatfs: {
        this.fids.get(r.u32());
        const s = await fs.statfs(this.root, { bigint: true });
        return ok((w) => w.u32(V9FS_MAGIC).u32(Number(s.bsize)).u64(s.blocks).u64(s.bfree).u64(s.bavail).u64(s.files).u64(s.ffree).u64(0).u32(255));
      }
      case P9.Tfsync: {
        await this.fids.get(r.u32()).file?.sync();
        return ok();
      }
      case P9.Tlock: return ok((w) => w.u8(0)); // one guest: every lock is granted
      case P9.Tgetlock: {
        this.fids.get(r.u32());
        r.u8();
        const start = r.u64(), length = r.u64(), procId = r.u32(), client = r.str();
        return ok((w) => w.u8(2 /* F_UNLCK: nobody holds it */).u64(start).u64(length).u32(procId).str(client));
      }
      case P9.Tflush: return ok(); // requests are answered in order: nothing is pending to cancel
      case P9.Txattrwalk:
      case P9.Txattrcreate: throw new P9Error(ERRNO.EOPNOTSUPP, "no extended attributes");
      default: throw new P9Error(ERRNO.EOPNOTSUPP, `message type ${type}`);
    }
  }

  private async setattr(r: Reader, ok: Ok): Promise<Uint8Array> {
    const { names } = this.fids.get(r.u32());
    const valid = r.u32(), mode = r.u32();
    r.u32(); r.u32(); // uid, gid: everything is root's, ownership changes are accepted and dropped
    const size = r.u64(), atime = [r.u64(), r.u64()], mtime = [r.u64(), r.u64()];
    if (valid & (SET_MODE | SET_SIZE | SET_ATIME | SET_MTIME)) this.writable();
    const st = await this.host.lstat(names);
    // Linux has no modes of its own for symlinks: a chmod of one changes nothing.
    if (valid & SET_MODE && !st.isSymbolicLink()) await this.host.chmod(names, mode & PERMISSIONS);
    if (valid & SET_SIZE) await this.host.truncate(names, Number(size));
    if (valid & (SET_ATIME | SET_MTIME)) {
      const now = Date.now() / 1000;
      const seconds = (t: bigint[], set: number, given: number) => (valid & given ? (valid & set ? Number(t[0]) + Number(t[1]) / 1e9 : now) : undefined);
      const a = seconds(atime, SET_ATIME_SET, SET_ATIME) ?? Number(st.atimeMs) / 1000;
      const m = seconds(mtime, SET_MTIME_SET, SET_MTIME) ?? Number(st.mtimeMs) / 1000;
      await fs.lutimes(await this.host.resolve(names), a, m);
    }
    return ok();
  }

  private async rename(from: string[], to: string[]): Promise<void> {
    if (from.length === 0) throw new P9Error(ERRNO.EPERM, "cannot rename the share's root");
    await fs.rename(await this.host.resolve(from), await this.host.resolve(to));
    this.fids.renamed(from, to);
  }

  private async qidReply(type: number, tag: number, names: string[], extra?: (w: Writer) => void): Promise<Uint8Array> {
    const st = await this.host.lstat(names);
    const w = reply(type + 1, tag).qid(qidOf(st));
    extra?.(w);
    return w.finish();
  }

  private async walk(r: Reader, ok: Ok): Promise<Uint8Array> {
    const from = this.fids.get(r.u32());
    const newId = r.u32();
    const count = r.u16();
    const wanted = Array.from({ length: count }, () => r.str());
    const names = [...from.names];
    const qids: Qid[] = [];
    for (const [i, name] of wanted.entries()) {
      try {
        if ((await this.host.lstat(names)).isDirectory() === false) throw new P9Error(ERRNO.ENOTDIR);
        if (name === "..") names.pop();
        else if (name !== ".") names.push(checkName(name, this.platform));
        qids.push(qidOf(await this.host.lstat(names)));
      } catch (err) {
        if (i === 0) throw err;
        return ok((w) => { w.u16(qids.length); for (const q of qids) w.qid(q); });
      }
    }
    // Walking onto an existing fid (itself included) replaces it: what it held open is closed.
    await this.fids.set(newId, { names });
    return ok((w) => { w.u16(qids.length); for (const q of qids) w.qid(q); });
  }

  private async listDir(names: string[], self: BigStats): Promise<DirEntry[]> {
    const parent = names.length > 0 ? await this.host.lstat(names.slice(0, -1)) : self;
    const entries: DirEntry[] = [
      { name: ".", qid: qidOf(self), type: 4 },
      { name: "..", qid: qidOf(parent), type: 4 },
    ];
    for (const name of (await fs.readdir(await this.host.resolve(names))).sort()) {
      const st = await this.host.lstat([...names, name]);
      entries.push({ name, qid: qidOf(st), type: direntType(st) });
    }
    return entries;
  }

  private readdir(r: Reader, ok: Ok): Uint8Array {
    const fid = this.fids.get(r.u32());
    const offset = Number(r.u64());
    const count = Math.min(r.u32(), this.msize - HEADER_SIZE - 4);
    if (!fid.entries) throw new P9Error(ERRNO.EBADF, "readdir of an unopened directory");
    const picked: [DirEntry, number][] = [];
    let used = 0;
    for (let i = offset; i < fid.entries.length; i++) {
      const entry = fid.entries[i];
      if (used + direntSize(entry.name) > count) break;
      used += direntSize(entry.name);
      picked.push([entry, i + 1]);
    }
    return ok((w) => {
      w.u32(used);
      for (const [entry, next] of picked) w.qid(entry.qid).u64(next).u8(entry.type).str(entry.name);
    });
  }
}
