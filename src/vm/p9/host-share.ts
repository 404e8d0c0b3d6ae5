// A 9P2000.L server over one share, read-only or writable. It backs the v86 guest's root
// (read-only: the stage's declared inputs) and /out (writable), and needs nothing but Node, so it
// could also serve QEMU on Windows, which has no `-fsdev local`. What stores the share is a
// ShareTree (share-tree.ts): a host directory as it is (host-tree.ts, the default), or names,
// modes and symlinks in memory over opaque host files (meta-tree.ts), exact on any host.
//
// Safety (the guest is not trusted; each rule has a regression test under test/vm/p9-*.test.ts):
// - The guest names files only by walking one component at a time from the root; ".." stops at
//   the root and every name is checked against the storage's rules (names.ts for a host directory).
// - Every use of a fid re-checks its path: each directory on the way must be a real directory,
//   and the entry itself is never followed if it is a symlink (share-fs.ts, meta-tree.ts). So a
//   symlink the guest made, anywhere in a path, is never followed on the host; the guest reads
//   its links and resolves them itself, inside its own view.
// - A rename moves every fid below the old name with it (fid-table.ts).
// - Permission bits are masked to 0o777: no setuid, setgid or sticky file appears on the host;
//   device nodes, FIFOs and sockets cannot be made (Tmknod: EPERM).
// - Every file is reported as owned by root, so no host uid leaks in.
import { ERRNO, linuxErrno, P9Error } from "./errno.js";
import { FidTable, type DirEntry } from "./fid-table.js";
import { HostTree, type HostTreeOptions } from "./host-tree.js";
import { isDir, isSymlink, L_CREAT, L_EXCL, opensForWriting, S_IFMT, type ShareTree, type TreeStat } from "./share-tree.js";
import { direntSize, errorReply, HEADER_SIZE, NOTAG, P9, QID_DIR, QID_FILE, QID_SYMLINK, readHeader, reply, type Qid, type Reader, type Writer } from "./wire.js";

/** Largest message we accept; the guest asks for 512000 (see kernelCommandLine). */
export const MAX_MSIZE = 512 * 1024;
const V9FS_MAGIC = 0x01021997;
const AT_REMOVEDIR = 0x200;
// Tsetattr `valid` bits.
const SET_MODE = 0x1, SET_SIZE = 0x8, SET_ATIME = 0x10, SET_MTIME = 0x20, SET_ATIME_SET = 0x80, SET_MTIME_SET = 0x100;
const GETATTR_BASIC = 0x7ffn;
/** Permission bits only: setuid, setgid and sticky never reach the host. */
const PERMISSIONS = 0o777;

type Ok = (extra?: (w: Writer) => void) => Uint8Array;

export { hostOpenFlags } from "./host-tree.js";
export { opensForWriting } from "./share-tree.js";

function qidOf(st: TreeStat): Qid {
  const type = isDir(st) ? QID_DIR : isSymlink(st) ? QID_SYMLINK : QID_FILE;
  return { type, version: 0, path: st.ino };
}

/** The dirent type (DT_*) of a Linux st_mode: its type bits shifted down. */
function direntType(st: TreeStat): number {
  return (st.mode & S_IFMT) >> 12;
}

/** For a host directory: its name rules and host file system (host-tree.ts). */
export type HostShareOptions = HostTreeOptions;

export class HostShare {
  private readonly fids = new FidTable();
  /** What stores the share. */
  readonly tree: ShareTree;
  private msize = 8192;
  /** Requests run one at a time, in arrival order: the guest may pipeline them. */
  private queue: Promise<unknown> = Promise.resolve();

  /** Serves `root`: a host directory as it is, or any other ShareTree. */
  constructor(root: string | ShareTree, readonly readOnly: boolean, options: HostShareOptions = {}) {
    this.tree = typeof root === "string" ? new HostTree(root, options) : root;
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
    await this.tree.close?.();
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

  /** Names of a new entry `name` in directory fid `dirId` (the name checked for the storage). */
  private child(dirId: number, name: string): string[] {
    return [...this.fids.get(dirId).names, this.tree.checkName(name)];
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
        const st = await this.tree.lstat([]);
        await this.fids.set(fid, { names: [] });
        return ok((w) => w.qid(qidOf(st)));
      }
      case P9.Twalk: return this.walk(r, ok);
      case P9.Tgetattr: {
        const st = await this.tree.lstat(this.fids.get(r.u32()).names);
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
        const st = await this.tree.lstat(fid.names);
        if (isDir(st)) fid.entries = await this.listDir(fid.names, st);
        else {
          if (opensForWriting(flags)) this.writable();
          fid.file = await this.tree.open(fid.names, flags & ~(L_CREAT | L_EXCL));
        }
        return ok((w) => w.qid(qidOf(st)).u32(0));
      }
      case P9.Tlcreate: {
        const id = r.u32(), name = r.str(), flags = r.u32(), mode = r.u32();
        this.writable();
        const names = this.child(id, name);
        const handle = await this.tree.create(names, flags | L_CREAT | L_EXCL, mode & PERMISSIONS);
        const fid = this.fids.get(id);
        fid.names = names;
        fid.file = handle;
        return this.qidReply(type, tag, names, (w) => w.u32(0));
      }
      case P9.Tsymlink: {
        const dir = r.u32(), name = r.str(), target = r.str();
        this.writable();
        const names = this.child(dir, name);
        await this.tree.symlink(names, target);
        return this.qidReply(type, tag, names);
      }
      case P9.Tmknod: this.writable(); throw new P9Error(ERRNO.EPERM, "no device nodes, FIFOs or sockets on the share");
      case P9.Tmkdir: {
        const dir = r.u32(), name = r.str(), mode = r.u32();
        this.writable();
        const names = this.child(dir, name);
        await this.tree.mkdir(names, mode & PERMISSIONS);
        return this.qidReply(type, tag, names);
      }
      case P9.Treadlink: {
        const target = await this.tree.readlink(this.fids.get(r.u32()).names);
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
        await this.tree.link(target.names, this.child(dir, name));
        return ok();
      }
      case P9.Tunlinkat: {
        const names = this.child(r.u32(), r.str());
        const flags = r.u32();
        this.writable();
        await this.tree.remove(names, (flags & AT_REMOVEDIR) !== 0);
        return ok();
      }
      case P9.Tremove: {
        const id = r.u32();
        const { names } = this.fids.get(id);
        await this.fids.drop(id);
        this.writable();
        if (names.length === 0) throw new P9Error(ERRNO.EPERM, "cannot remove the share's root");
        await this.tree.remove(names, isDir(await this.tree.lstat(names)));
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
        const s = await this.tree.statfs();
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
    const st = await this.tree.lstat(names);
    // Linux has no modes of its own for symlinks: a chmod of one changes nothing.
    if (valid & SET_MODE && !isSymlink(st)) await this.tree.chmod(names, mode & PERMISSIONS);
    if (valid & SET_SIZE) await this.tree.truncate(names, Number(size));
    if (valid & (SET_ATIME | SET_MTIME)) {
      const now = Date.now() / 1000;
      const seconds = (t: bigint[], set: number, given: number) => (valid & given ? (valid & set ? Number(t[0]) + Number(t[1]) / 1e9 : now) : undefined);
      const a = seconds(atime, SET_ATIME_SET, SET_ATIME) ?? Number(st.atimeNs) / 1e9;
      const m = seconds(mtime, SET_MTIME_SET, SET_MTIME) ?? Number(st.mtimeNs) / 1e9;
      await this.tree.utimes(names, a, m);
    }
    return ok();
  }

  private async rename(from: string[], to: string[]): Promise<void> {
    if (from.length === 0) throw new P9Error(ERRNO.EPERM, "cannot rename the share's root");
    await this.tree.rename(from, to);
    this.fids.renamed(from, to);
  }

  private async qidReply(type: number, tag: number, names: string[], extra?: (w: Writer) => void): Promise<Uint8Array> {
    const st = await this.tree.lstat(names);
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
        if (!isDir(await this.tree.lstat(names))) throw new P9Error(ERRNO.ENOTDIR);
        if (name === "..") names.pop();
        else if (name !== ".") names.push(this.tree.checkName(name));
        qids.push(qidOf(await this.tree.lstat(names)));
      } catch (err) {
        if (i === 0) throw err;
        return ok((w) => { w.u16(qids.length); for (const q of qids) w.qid(q); });
      }
    }
    // Walking onto an existing fid (itself included) replaces it: what it held open is closed.
    await this.fids.set(newId, { names });
    return ok((w) => { w.u16(qids.length); for (const q of qids) w.qid(q); });
  }

  private async listDir(names: string[], self: TreeStat): Promise<DirEntry[]> {
    const parent = names.length > 0 ? await this.tree.lstat(names.slice(0, -1)) : self;
    const entries: DirEntry[] = [
      { name: ".", qid: qidOf(self), type: 4 },
      { name: "..", qid: qidOf(parent), type: 4 },
    ];
    for (const name of (await this.tree.readdir(names)).sort()) {
      const st = await this.tree.lstat([...names, name]);
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
