// A share whose names, types, modes, symlinks and hard links live in memory, in this process, and
// whose file contents are host files under opaque names ("s1", "s2", … in one spill directory, or
// existing host files for a read-only tree). No guest name, mode or symlink ever reaches the host
// file system, so the share is exact whatever that file system can hold: NTFS (no exec bit,
// symlinks need a privilege, reserved names such as `aux.c`, case-insensitive), default APFS
// (case-insensitive), or Linux. Names follow Linux's rules only: `xt_CONNMARK.h` and
// `xt_connmark.h` are two files, `con` is a file.
//
// The writable out share is one (meta-output.ts captures the output from it); the read-only root
// is one built from the stage's inputs (src/stages/share-tree.ts). Paths are walked one component
// at a time and a symlink on the way is ELOOP, as with a host directory (share-fs.ts).
import { constants as C } from "node:fs";
import path from "node:path";
import { ERRNO, P9Error } from "./errno.js";
import { nativeFs, type HostFile, type HostFs } from "./host-fs.js";
import { hostOpenFlags } from "./host-tree.js";
import { nameProblem } from "./names.js";
import { L_CREAT, L_EXCL, L_TRUNC, opensForWriting, S_IFDIR, S_IFLNK, S_IFREG, type ShareTree, type TreeFile, type TreeStat, type TreeStatFs } from "./share-tree.js";

/** Where a file's bytes are: a spill file this tree owns, or a host file it only reads (all of
 *  it, or `size` bytes from `offset`: a member of a tar). */
export type Content = { kind: "spill"; file: string } | { kind: "source"; file: string; size: bigint; offset?: bigint };

/** A read-only file the builder adds: its bytes in `file` (from `offset`, for a tar member). */
export interface SourceFile {
  file: string;
  size: bigint;
  mode: number;
  mtimeNs?: bigint;
  offset?: bigint;
}

interface Base {
  readonly id: bigint;
  /** Permission bits (0o777 at most). */
  mode: number;
  nlink: number;
  atimeNs: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
}
export interface MetaDir extends Base { kind: "dir"; entries: Map<string, MetaNode> }
export interface MetaFile extends Base { kind: "file"; content: Content }
export interface MetaLink extends Base { kind: "symlink"; target: string }
export type MetaNode = MetaDir | MetaFile | MetaLink;

export interface MetaTreeOptions {
  /** Where the contents of files the guest writes go; without it the tree holds only what it was
   *  built with (a read-only root). Created on first use. */
  spillDir?: string;
  /** The host file system the spill files are on (tests pass a simulated foreign one). */
  fs?: HostFs;
  /** Times of entries the builder adds (default: now). */
  builtAtNs?: bigint;
}

function nowNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

const TYPE_BITS = { dir: S_IFDIR, file: S_IFREG, symlink: S_IFLNK } as const;

export class MetaTree implements ShareTree {
  readonly root: MetaDir;
  readonly spillDir: string | undefined;
  private readonly fs: HostFs;
  private nextId = 1n;
  private spills = 0;
  private spillReady: Promise<void> | undefined;
  private readonly builtAtNs: bigint;

  constructor(opts: MetaTreeOptions = {}) {
    this.spillDir = opts.spillDir;
    this.fs = opts.fs ?? nativeFs;
    this.builtAtNs = opts.builtAtNs ?? nowNs();
    this.root = this.node({ kind: "dir", entries: new Map() }, 0o755, this.builtAtNs);
  }

  private node<T extends MetaNode>(fields: Omit<T, keyof Base>, mode: number, at = nowNs()): T {
    return { ...fields, id: this.nextId++, mode, nlink: 1, atimeNs: at, mtimeNs: at, ctimeNs: at } as T;
  }

  // ---- building (the read-only root): parents are made as 0755 directories ----

  /** The directory at `names`, made (with its parents) when missing. */
  addDir(names: readonly string[], mode = 0o755): MetaDir {
    let dir = this.root;
    for (const name of names) {
      const next = dir.entries.get(name) ?? this.attach(dir, name, this.node<MetaDir>({ kind: "dir", entries: new Map() }, mode, this.builtAtNs));
      if (next.kind !== "dir") throw new P9Error(ERRNO.ENOTDIR, `${names.join("/")}: ${name} is not a directory`);
      dir = next;
    }
    return dir;
  }

  /** A read-only file served from a host file. */
  addFile(names: readonly string[], source: SourceFile): MetaFile {
    const content: Content = { kind: "source", file: source.file, size: source.size, ...(source.offset === undefined ? {} : { offset: source.offset }) };
    const file = this.node<MetaFile>({ kind: "file", content }, source.mode & 0o777, source.mtimeNs ?? this.builtAtNs);
    return this.attach(this.addDir(names.slice(0, -1)), names.at(-1)!, file);
  }

  addSymlink(names: readonly string[], target: string): MetaLink {
    return this.attach(this.addDir(names.slice(0, -1)), names.at(-1)!, this.node<MetaLink>({ kind: "symlink", target }, 0o777, this.builtAtNs));
  }

  private attach<T extends MetaNode>(dir: MetaDir, name: string, node: T): T {
    if (nameProblem(name, "linux")) throw new P9Error(ERRNO.EINVAL, `bad name ${JSON.stringify(name)}`);
    if (dir.entries.has(name)) throw new P9Error(ERRNO.EEXIST, `${name} exists`);
    dir.entries.set(name, node);
    return node;
  }

  // ---- reading the tree (capture) ----

  /** Every entry with its path ("a/b"), sorted byte-wise (parents before children). */
  list(): Array<{ path: string; node: MetaNode }> {
    const found: Array<{ path: string; node: MetaNode }> = [];
    const visit = (dir: MetaDir, prefix: string) => {
      for (const [name, node] of dir.entries) {
        const rel = prefix ? `${prefix}/${name}` : name;
        found.push({ path: rel, node });
        if (node.kind === "dir") visit(node, rel);
      }
    };
    visit(this.root, "");
    return found.sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
  }

  /** Opens a file's bytes for reading (capture, materialise). */
  async openContent(file: MetaFile): Promise<TreeFile> {
    const content = file.content;
    if (content.kind === "spill") return this.fs.open(content.file, C.O_RDONLY);
    const handle = await nativeFs.open(content.file, C.O_RDONLY);
    return content.offset === undefined ? handle : new SliceFile(handle, content.offset, content.size);
  }

  async size(file: MetaFile): Promise<bigint> {
    return file.content.kind === "spill" ? (await this.fs.lstat(file.content.file)).size : file.content.size;
  }

  // ---- ShareTree ----

  checkName(name: string): string {
    const problem = nameProblem(name, "linux");
    if (problem) throw new P9Error(ERRNO.EINVAL, `name ${JSON.stringify(name)} ${problem}`);
    return name;
  }

  private lookup(names: readonly string[]): MetaNode {
    let node: MetaNode = this.root;
    for (const [i, name] of names.entries()) {
      if (node.kind !== "dir") throw new P9Error(node.kind === "symlink" ? ERRNO.ELOOP : ERRNO.ENOTDIR, `${names.slice(0, i).join("/")} is not a directory`);
      const next = node.entries.get(name);
      if (!next) throw new P9Error(ERRNO.ENOENT, `${names.slice(0, i + 1).join("/")}: no such entry`);
      node = next;
    }
    return node;
  }

  /** The directory a new or existing entry `names` is in, and its name there. */
  private parentOf(names: readonly string[]): [MetaDir, string] {
    if (names.length === 0) throw new P9Error(ERRNO.EPERM, "the share's root");
    const dir = this.lookup(names.slice(0, -1));
    if (dir.kind !== "dir") throw new P9Error(ERRNO.ENOTDIR, `${names.slice(0, -1).join("/")} is not a directory`);
    return [dir, names.at(-1)!];
  }

  private fileAt(names: readonly string[]): MetaFile {
    const node = this.lookup(names);
    if (node.kind === "dir") throw new P9Error(ERRNO.EISDIR, `${names.join("/")} is a directory`);
    if (node.kind === "symlink") throw new P9Error(ERRNO.ELOOP, `${names.join("/")} is a symlink`);
    return node;
  }

  async lstat(names: readonly string[]): Promise<TreeStat> {
    const node = this.lookup(names);
    const size = node.kind === "file" ? await this.size(node) : node.kind === "symlink" ? BigInt(Buffer.byteLength(node.target)) : 4096n;
    const subdirs = node.kind === "dir" ? [...node.entries.values()].filter((n) => n.kind === "dir").length : 0;
    return {
      mode: TYPE_BITS[node.kind] | node.mode,
      ino: node.id,
      nlink: BigInt(node.kind === "dir" ? 2 + subdirs : node.nlink),
      rdev: 0n,
      size,
      blocks: (size + 511n) / 512n,
      atimeNs: node.atimeNs,
      mtimeNs: node.mtimeNs,
      ctimeNs: node.ctimeNs,
    };
  }

  async readdir(names: readonly string[]): Promise<string[]> {
    const node = this.lookup(names);
    if (node.kind !== "dir") throw new P9Error(ERRNO.ENOTDIR);
    return [...node.entries.keys()];
  }

  async open(names: readonly string[], flags: number): Promise<TreeFile> {
    const file = this.fileAt(names);
    if (file.content.kind === "source") {
      if (opensForWriting(flags)) throw new P9Error(ERRNO.EROFS, `${names.join("/")} is read-only`);
      return this.openContent(file);
    }
    const handle = await this.fs.open(file.content.file, hostOpenFlags(flags & ~(L_CREAT | L_EXCL)));
    if (flags & L_TRUNC) touch(file);
    return new SpillFile(handle, file);
  }

  async create(names: readonly string[], flags: number, mode: number): Promise<TreeFile> {
    const [dir, name] = this.parentOf(names);
    if (dir.entries.has(name)) throw new P9Error(ERRNO.EEXIST, `${names.join("/")} exists`);
    const spill = await this.newSpill();
    const handle = await this.fs.open(spill, hostOpenFlags(flags | L_CREAT | L_EXCL), 0o600);
    const file = this.attach(dir, name, this.node<MetaFile>({ kind: "file", content: { kind: "spill", file: spill } }, mode & 0o777));
    touch(dir);
    return new SpillFile(handle, file);
  }

  private async newSpill(): Promise<string> {
    if (!this.spillDir) throw new P9Error(ERRNO.EROFS, "this share holds no new files");
    await this.ensureSpillDir(this.spillDir);
    // Lowercase letters and digits: a name every host file system holds as it is.
    return path.join(this.spillDir, `s${++this.spills}`);
  }

  private async ensureSpillDir(dir: string): Promise<void> {
    this.spillReady ??= this.fs.mkdir(dir, 0o700).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== "EEXIST") throw error;
    });
    await this.spillReady;
  }

  async mkdir(names: readonly string[], mode: number): Promise<void> {
    const [dir, name] = this.parentOf(names);
    this.attach(dir, name, this.node<MetaDir>({ kind: "dir", entries: new Map() }, mode & 0o777));
    touch(dir);
  }

  async symlink(names: readonly string[], target: string): Promise<void> {
    const [dir, name] = this.parentOf(names);
    this.attach(dir, name, this.node<MetaLink>({ kind: "symlink", target }, 0o777));
    touch(dir);
  }

  async readlink(names: readonly string[]): Promise<string> {
    const node = this.lookup(names);
    if (node.kind !== "symlink") throw new P9Error(ERRNO.EINVAL, `${names.join("/")} is not a symlink`);
    return node.target;
  }

  async rename(from: readonly string[], to: readonly string[]): Promise<void> {
    const [fromDir, fromName] = this.parentOf(from);
    const node = this.lookup(from);
    const [toDir, toName] = this.parentOf(to);
    const existing = toDir.entries.get(toName);
    // Two names of one file (or the same name): rename(2) does nothing.
    if (existing === node) return;
    if (node.kind === "dir" && to.length > from.length && from.every((name, i) => to[i] === name)) {
      throw new P9Error(ERRNO.EINVAL, "a directory cannot move into itself");
    }
    if (existing) {
      if (node.kind === "dir" && existing.kind !== "dir") throw new P9Error(ERRNO.ENOTDIR, `${to.join("/")} is not a directory`);
      if (node.kind !== "dir" && existing.kind === "dir") throw new P9Error(ERRNO.EISDIR, `${to.join("/")} is a directory`);
      if (existing.kind === "dir" && existing.entries.size > 0) throw new P9Error(ERRNO.ENOTEMPTY, `${to.join("/")} is not empty`);
      await this.unlinkNode(toDir, toName, existing);
    }
    fromDir.entries.delete(fromName);
    toDir.entries.set(toName, node);
    touch(fromDir);
    touch(toDir);
    node.ctimeNs = nowNs();
  }

  async link(existing: readonly string[], names: readonly string[]): Promise<void> {
    const node = this.lookup(existing);
    if (node.kind === "dir") throw new P9Error(ERRNO.EPERM, "no hard links to directories");
    const [dir, name] = this.parentOf(names);
    this.attach(dir, name, node);
    node.nlink++;
    node.ctimeNs = nowNs();
    touch(dir);
  }

  async remove(names: readonly string[], dir: boolean): Promise<void> {
    const [parent, name] = this.parentOf(names);
    const node = this.lookup(names);
    if (dir && node.kind !== "dir") throw new P9Error(ERRNO.ENOTDIR, `${names.join("/")} is not a directory`);
    if (!dir && node.kind === "dir") throw new P9Error(ERRNO.EISDIR, `${names.join("/")} is a directory`);
    if (node.kind === "dir" && node.entries.size > 0) throw new P9Error(ERRNO.ENOTEMPTY, `${names.join("/")} is not empty`);
    await this.unlinkNode(parent, name, node);
    touch(parent);
  }

  /** Drops one name; the last name of a spilled file deletes its bytes (a guest that still has it
   *  open keeps reading on Linux; where the host refuses, the spill directory goes with the run). */
  private async unlinkNode(dir: MetaDir, name: string, node: MetaNode): Promise<void> {
    dir.entries.delete(name);
    node.nlink--;
    node.ctimeNs = nowNs();
    if (node.kind === "file" && node.nlink === 0 && node.content.kind === "spill") await this.fs.unlink(node.content.file).catch(() => undefined);
  }

  async chmod(names: readonly string[], mode: number): Promise<void> {
    const node = this.lookup(names);
    if (node.kind === "file" && node.content.kind === "source") throw new P9Error(ERRNO.EROFS);
    node.mode = mode & 0o777;
    node.ctimeNs = nowNs();
  }

  async truncate(names: readonly string[], size: number): Promise<void> {
    const file = this.fileAt(names);
    if (file.content.kind === "source") throw new P9Error(ERRNO.EROFS, `${names.join("/")} is read-only`);
    const handle = await this.fs.open(file.content.file, C.O_WRONLY);
    try {
      await handle.truncate(size);
    } finally {
      await handle.close();
    }
    touch(file);
  }

  async utimes(names: readonly string[], atime: number, mtime: number): Promise<void> {
    const node = this.lookup(names);
    node.atimeNs = BigInt(Math.round(atime * 1e9));
    node.mtimeNs = BigInt(Math.round(mtime * 1e9));
    node.ctimeNs = nowNs();
  }

  async statfs(): Promise<TreeStatFs> {
    if (!this.spillDir) return { bsize: 4096n, blocks: 0n, bfree: 0n, bavail: 0n, files: 0n, ffree: 0n };
    await this.ensureSpillDir(this.spillDir);
    const s = await this.fs.statfs(this.spillDir);
    return { bsize: s.bsize, blocks: s.blocks, bfree: s.bfree, bavail: s.bavail, files: s.files, ffree: s.ffree };
  }
}

/** A change to a node's contents or entries: its mtime and ctime. */
function touch(node: MetaNode): void {
  node.mtimeNs = node.ctimeNs = nowNs();
}

/** `size` bytes of a host file from `offset`, read-only: one member inside a tar. */
class SliceFile implements TreeFile {
  constructor(private readonly handle: HostFile, private readonly offset: bigint, private readonly size: bigint) {}

  async read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesRead: number }> {
    const left = this.size - BigInt(position);
    if (left <= 0n) return { bytesRead: 0 };
    const count = Number(left < BigInt(length) ? left : BigInt(length));
    return this.handle.read(buffer, offset, count, Number(this.offset + BigInt(position)));
  }

  write(): Promise<{ bytesWritten: number }> {
    return Promise.reject(new P9Error(ERRNO.EROFS, "a member of an archive is read-only"));
  }

  async sync(): Promise<void> {}

  close(): Promise<void> {
    return this.handle.close();
  }
}

/** An open spill file: writes move the file's mtime, as on a real file system. */
class SpillFile implements TreeFile {
  constructor(private readonly handle: HostFile, private readonly file: MetaFile) {}

  read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesRead: number }> {
    return this.handle.read(buffer, offset, length, position);
  }

  async write(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesWritten: number }> {
    const result = await this.handle.write(buffer, offset, length, position);
    touch(this.file);
    return result;
  }

  sync(): Promise<void> {
    return this.handle.sync();
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}
