// What the 9p server (host-share.ts) needs from the storage behind a share, so the protocol is
// written once and the storage can differ: a host directory as it is (host-tree.ts), or a tree
// whose names, modes and symlinks live in memory with file contents in host files under opaque
// names (meta-tree.ts), which any host file system can hold exactly.
//
// Entries are named by their components below the share's root (never "." or "..", never holding
// "/"), as the server's fids name them. Errors are P9Error or Node errors with a code (errno.ts).

/** Linux open flags as 9P2000.L carries them (the guest's numbering, not the host's). */
export const L_ACCMODE = 3, L_WRONLY = 1, L_RDWR = 2, L_CREAT = 0o100, L_EXCL = 0o200, L_TRUNC = 0o1000, L_APPEND = 0o2000;

/** Linux st_mode type bits. */
export const S_IFMT = 0o170000, S_IFDIR = 0o040000, S_IFREG = 0o100000, S_IFLNK = 0o120000;

/** Does opening with these guest flags change the file? */
export function opensForWriting(linux: number): boolean {
  return (linux & L_ACCMODE) !== 0 || (linux & (L_TRUNC | L_CREAT | L_APPEND)) !== 0;
}

/** An entry's attributes as the guest sees them. */
export interface TreeStat {
  /** Linux st_mode: type bits and permission bits. */
  mode: number;
  ino: bigint;
  nlink: bigint;
  rdev: bigint;
  size: bigint;
  blocks: bigint;
  atimeNs: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
}

export function isDir(st: TreeStat): boolean {
  return (st.mode & S_IFMT) === S_IFDIR;
}

export function isSymlink(st: TreeStat): boolean {
  return (st.mode & S_IFMT) === S_IFLNK;
}

/** An open regular file (a Node FileHandle is one). */
export interface TreeFile {
  read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
  write(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesWritten: number }>;
  sync(): Promise<void>;
  close(): Promise<void>;
}

export interface TreeStatFs {
  bsize: bigint;
  blocks: bigint;
  bfree: bigint;
  bavail: bigint;
  files: bigint;
  ffree: bigint;
}

/** The storage behind one share. Nothing here follows a symlink: the guest resolves its own. */
export interface ShareTree {
  /** `name` if a new entry may have it, else a P9Error (EINVAL): the storage's name rules. */
  checkName(name: string): string;
  lstat(names: readonly string[]): Promise<TreeStat>;
  /** The names in a directory, in any order. */
  readdir(names: readonly string[]): Promise<string[]>;
  /** Opens an existing regular file with the guest's flags (O_CREAT and O_EXCL ignored); a
   *  symlink is ELOOP. The server has already refused writing flags on a read-only share. */
  open(names: readonly string[], flags: number): Promise<TreeFile>;
  /** Creates a regular file that must not exist, with exactly `mode`'s permission bits. */
  create(names: readonly string[], flags: number, mode: number): Promise<TreeFile>;
  mkdir(names: readonly string[], mode: number): Promise<void>;
  symlink(names: readonly string[], target: string): Promise<void>;
  readlink(names: readonly string[]): Promise<string>;
  rename(from: readonly string[], to: readonly string[]): Promise<void>;
  /** A second name `names` for the file `existing`. */
  link(existing: readonly string[], names: readonly string[]): Promise<void>;
  /** unlink(2), or rmdir(2) when `dir`. */
  remove(names: readonly string[], dir: boolean): Promise<void>;
  /** Sets permission bits (never on a symlink: the server skips those). */
  chmod(names: readonly string[], mode: number): Promise<void>;
  truncate(names: readonly string[], size: number): Promise<void>;
  /** Times in seconds since the epoch. */
  utimes(names: readonly string[], atime: number, mtime: number): Promise<void>;
  statfs(): Promise<TreeStatFs>;
  /** Releases what the storage holds (open host files); the server calls it when it closes. */
  close?(): Promise<void>;
}
