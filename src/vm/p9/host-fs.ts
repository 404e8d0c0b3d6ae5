// The host file operations the shares use, behind one interface, so a test on Linux can put a file
// system with other rules under them (foreign-fs.ts: no exec bits, no symlinks, names that fold
// case) and see what a Windows or macOS host would do. Paths are absolute host paths.
import { constants as C, type BigIntStats, type BigIntStatsFs } from "node:fs";
import fs from "node:fs/promises";
import type { TreeFile } from "./share-tree.js";

/** An open host file. */
export interface HostFile extends TreeFile {
  chmod(mode: number): Promise<void>;
  truncate(size: number): Promise<void>;
}

export interface HostFs {
  /** What the rules are for names and modes: "native" is this host as it is. */
  readonly kind: "native" | "foreign";
  /** The host's O_NOFOLLOW, or undefined where it has none (Windows). */
  readonly noFollow: number | undefined;
  lstat(file: string): Promise<BigIntStats>;
  open(file: string, flags: number, mode?: number): Promise<HostFile>;
  readdir(dir: string): Promise<string[]>;
  mkdir(dir: string, mode: number): Promise<void>;
  rmdir(dir: string): Promise<void>;
  unlink(file: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  link(existing: string, file: string): Promise<void>;
  symlink(target: string, file: string): Promise<void>;
  readlink(file: string): Promise<string>;
  /** chmod by path (follows symlinks: callers check first). */
  chmod(file: string, mode: number): Promise<void>;
  lutimes(file: string, atime: number, mtime: number): Promise<void>;
  statfs(dir: string): Promise<BigIntStatsFs>;
}

/** This host's file system, as Node sees it. */
export const nativeFs: HostFs = {
  kind: "native",
  noFollow: C.O_NOFOLLOW as number | undefined,
  lstat: (file) => fs.lstat(file, { bigint: true }),
  open: (file, flags, mode) => fs.open(file, flags, mode),
  readdir: (dir) => fs.readdir(dir),
  mkdir: async (dir, mode) => {
    await fs.mkdir(dir, mode);
  },
  rmdir: (dir) => fs.rmdir(dir),
  unlink: (file) => fs.unlink(file),
  rename: (from, to) => fs.rename(from, to),
  link: (existing, file) => fs.link(existing, file),
  symlink: (target, file) => fs.symlink(target, file),
  readlink: (file) => fs.readlink(file),
  chmod: (file, mode) => fs.chmod(file, mode),
  lutimes: (file, atime, mtime) => fs.lutimes(file, atime, mtime),
  statfs: (dir) => fs.statfs(dir, { bigint: true }),
};
