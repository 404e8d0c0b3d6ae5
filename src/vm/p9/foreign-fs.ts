// A simulated foreign host file system, for tests on Linux (`--share-fs foreign`): one Linux
// directory made to behave the way NTFS behaves under Node on Windows, so the share code can be
// shown not to depend on anything such a host lacks. Simulated, not measured on real NTFS/APFS:
// - no exec bits: a file is 0666, or 0444 when read-only (the owner write bit is the only bit
//   chmod keeps: it stands for Windows' read-only attribute); a directory is 0777;
// - no symlinks: creating one fails with EPERM (Windows without SeCreateSymbolicLinkPrivilege);
// - case-insensitive, case-preserving names: `xt_connmark.h` finds `xt_CONNMARK.h`, and creating
//   it exclusively fails with EEXIST (as on NTFS and default APFS);
// - names Windows cannot hold (`aux.c`, `con`, `a:b`, `x.`, …; names.ts) fail with EINVAL;
// - no O_NOFOLLOW (share-fs.ts takes its lstat-first path).
// Paths outside the simulated root are refused: everything a share stores must be under it.
import type { BigIntStats, BigIntStatsFs } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import type { HostFile, HostFs } from "./host-fs.js";
import { nameProblem } from "./names.js";

function fsError(code: string, syscall: string, file: string, why: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${why}, ${syscall} '${file}'`), { code, syscall, path: file });
}

/** What the write bit becomes on NTFS: read-only attribute or not. */
function ntfsFileMode(mode: number): number {
  return mode & 0o200 ? 0o644 : 0o444;
}

/** An lstat as Windows reports it: no exec bits, no owner/group/other distinction. */
function ntfsStats(st: BigIntStats): BigIntStats {
  const perms = st.isDirectory() ? 0o777n : st.isFile() ? (st.mode & 0o200n ? 0o666n : 0o444n) : st.mode & 0o777n;
  const mode = (st.mode & ~0o7777n) | perms;
  return Object.assign(Object.create(Object.getPrototypeOf(st) as object) as BigIntStats, st, { mode });
}

export class ForeignFs implements HostFs {
  readonly kind = "foreign" as const;
  readonly noFollow = undefined;

  constructor(readonly root: string) {}

  /** The Linux path that `file` names here: every component below the root matched without
   *  regard to case (the first match on disk wins); a missing last component keeps its case. */
  private async real(file: string, syscall: string): Promise<string> {
    const rel = path.relative(this.root, path.resolve(file));
    if (rel === "") return this.root;
    if (rel.startsWith("..") || path.isAbsolute(rel)) throw fsError("EACCES", syscall, file, "outside the simulated foreign file system");
    let at = this.root;
    for (const name of rel.split(path.sep)) {
      const problem = nameProblem(name, "win32");
      if (problem) throw fsError("EINVAL", syscall, file, `the name ${JSON.stringify(name)} ${problem}`);
      const exact = path.join(at, name);
      if (await fs.lstat(exact).then(() => true, () => false)) {
        at = exact;
        continue;
      }
      const folded = name.toUpperCase();
      const names = await fs.readdir(at).catch(() => [] as string[]);
      const match = names.find((n) => n.toUpperCase() === folded);
      at = path.join(at, match ?? name);
    }
    return at;
  }

  async lstat(file: string): Promise<BigIntStats> {
    return ntfsStats(await fs.lstat(await this.real(file, "lstat"), { bigint: true }));
  }

  async open(file: string, flags: number, mode = 0o666): Promise<HostFile> {
    const real = await this.real(file, "open");
    return new ForeignFile(await fs.open(real, flags, ntfsFileMode(mode)));
  }

  async readdir(dir: string): Promise<string[]> {
    return fs.readdir(await this.real(dir, "scandir"));
  }

  async mkdir(dir: string, _mode?: number): Promise<void> {
    await fs.mkdir(await this.real(dir, "mkdir"), 0o755);
  }

  async rmdir(dir: string): Promise<void> {
    await fs.rmdir(await this.real(dir, "rmdir"));
  }

  async unlink(file: string): Promise<void> {
    await fs.unlink(await this.real(file, "unlink"));
  }

  async rename(from: string, to: string): Promise<void> {
    const source = await this.real(from, "rename");
    const target = await this.real(to, "rename");
    // A rename that only changes case finds the source as its target: it renames to the new case.
    await fs.rename(source, source === target ? path.join(path.dirname(source), path.basename(to)) : target);
  }

  async link(existing: string, file: string): Promise<void> {
    await fs.link(await this.real(existing, "link"), await this.real(file, "link"));
  }

  async symlink(_target: string, file: string): Promise<void> {
    await this.real(file, "symlink");
    throw fsError("EPERM", "symlink", file, "operation not permitted (no symlink privilege)");
  }

  async readlink(file: string): Promise<string> {
    return fs.readlink(await this.real(file, "readlink"));
  }

  async chmod(file: string, mode: number): Promise<void> {
    const real = await this.real(file, "chmod");
    if ((await fs.lstat(real)).isFile()) await fs.chmod(real, ntfsFileMode(mode));
  }

  async lutimes(file: string, atime: number, mtime: number): Promise<void> {
    await fs.lutimes(await this.real(file, "utime"), atime, mtime);
  }

  async statfs(dir: string): Promise<BigIntStatsFs> {
    return fs.statfs(await this.real(dir, "statfs"), { bigint: true });
  }
}

/** An open file whose fchmod keeps only the read-only attribute. */
class ForeignFile implements HostFile {
  constructor(private readonly handle: fs.FileHandle) {}

  read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesRead: number }> {
    return this.handle.read(buffer, offset, length, position);
  }

  write(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesWritten: number }> {
    return this.handle.write(buffer, offset, length, position);
  }

  async chmod(mode: number): Promise<void> {
    await this.handle.chmod(ntfsFileMode(mode));
  }

  truncate(size: number): Promise<void> {
    return this.handle.truncate(size);
  }

  sync(): Promise<void> {
    return this.handle.sync();
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}
