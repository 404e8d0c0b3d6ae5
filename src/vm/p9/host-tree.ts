// A share that is one host directory as it is: what the guest creates is created on the host with
// the guest's names and modes. Exact on Linux; on a host file system without exec bits, symlinks
// or case-sensitive names (NTFS, default APFS) it is not, and meta-tree.ts is the share to use.
// Every path is resolved through share-fs.ts, which never follows a symlink on the way.
import { constants as C, type BigIntStats } from "node:fs";
import { nativeFs, type HostFs } from "./host-fs.js";
import { checkName, hostPlatform, type SharePlatform } from "./names.js";
import { L_ACCMODE, L_APPEND, L_CREAT, L_EXCL, L_RDWR, L_TRUNC, L_WRONLY, type ShareTree, type TreeFile, type TreeStat, type TreeStatFs } from "./share-tree.js";
import { ShareFs } from "./share-fs.js";

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

/** The guest's view of a host lstat: Linux type bits whatever the host's numbering. */
export function treeStat(st: BigIntStats): TreeStat {
  const type = st.isDirectory() ? 0o040000 : st.isSymbolicLink() ? 0o120000 : st.isFIFO() ? 0o010000
    : st.isCharacterDevice() ? 0o020000 : st.isBlockDevice() ? 0o060000 : st.isSocket() ? 0o140000 : 0o100000;
  return {
    mode: type | Number(st.mode & 0o7777n),
    ino: st.ino, nlink: st.nlink, rdev: st.rdev, size: st.size, blocks: st.blocks,
    atimeNs: st.atimeNs, mtimeNs: st.mtimeNs, ctimeNs: st.ctimeNs,
  };
}

export interface HostTreeOptions {
  /** Whose file-name rules apply (default: this host's). */
  platform?: SharePlatform;
  /** The host file system (default: this host's; tests pass a simulated foreign one). */
  fs?: HostFs;
}

export class HostTree implements ShareTree {
  private readonly share: ShareFs;
  private readonly host: HostFs;
  private readonly platform: SharePlatform;

  constructor(readonly root: string, options: HostTreeOptions = {}) {
    this.host = options.fs ?? nativeFs;
    this.share = new ShareFs(root, this.host);
    this.platform = options.platform ?? hostPlatform();
  }

  checkName(name: string): string {
    return checkName(name, this.platform);
  }

  async lstat(names: readonly string[]): Promise<TreeStat> {
    return treeStat(await this.share.lstat(names));
  }

  async readdir(names: readonly string[]): Promise<string[]> {
    return this.host.readdir(await this.share.resolve(names));
  }

  open(names: readonly string[], flags: number): Promise<TreeFile> {
    return this.share.open(names, hostOpenFlags(flags & ~(L_CREAT | L_EXCL)));
  }

  async create(names: readonly string[], flags: number, mode: number): Promise<TreeFile> {
    const handle = await this.share.open(names, hostOpenFlags(flags | L_CREAT | L_EXCL), 0o600);
    // The host's umask must not change what the guest asked for (exec bits survive).
    await handle.chmod(mode);
    return handle;
  }

  async mkdir(names: readonly string[], mode: number): Promise<void> {
    await this.host.mkdir(await this.share.resolve(names), 0o700);
    await this.share.chmod(names, mode);
  }

  async symlink(names: readonly string[], target: string): Promise<void> {
    await this.host.symlink(target, await this.share.resolve(names));
  }

  async readlink(names: readonly string[]): Promise<string> {
    return this.host.readlink(await this.share.resolve(names));
  }

  async rename(from: readonly string[], to: readonly string[]): Promise<void> {
    await this.host.rename(await this.share.resolve(from), await this.share.resolve(to));
  }

  async link(existing: readonly string[], names: readonly string[]): Promise<void> {
    await this.host.link(await this.share.resolve(existing), await this.share.resolve(names));
  }

  async remove(names: readonly string[], dir: boolean): Promise<void> {
    const file = await this.share.resolve(names);
    await (dir ? this.host.rmdir(file) : this.host.unlink(file));
  }

  chmod(names: readonly string[], mode: number): Promise<void> {
    return this.share.chmod(names, mode);
  }

  truncate(names: readonly string[], size: number): Promise<void> {
    return this.share.truncate(names, size);
  }

  async utimes(names: readonly string[], atime: number, mtime: number): Promise<void> {
    await this.host.lutimes(await this.share.resolve(names), atime, mtime);
  }

  async statfs(): Promise<TreeStatFs> {
    const s = await this.host.statfs(this.root);
    return { bsize: s.bsize, blocks: s.blocks, bfree: s.bfree, bavail: s.bavail, files: s.files, ffree: s.ffree };
  }
}

