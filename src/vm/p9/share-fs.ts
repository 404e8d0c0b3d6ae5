// Host file operations below one share root that never follow a symlink the guest may have made.
//
// A fid is a list of names below the root, joined again at every use. The host resolves such a
// path component by component, following any symlink on the way, so each use first lstats every
// prefix and requires a real directory; the last component is opened with O_NOFOLLOW (or, where
// the host has none, lstat-checked first). Requests are served one at a time and only the guest
// changes the share while it runs, so nothing can swap a component between the check and the use.
// (QEMU fixed the same class of bug, CVE-2016-9602, by walking with openat(O_NOFOLLOW).)
import { constants as C, type BigIntStats } from "node:fs";
import path from "node:path";
import { ERRNO, P9Error } from "./errno.js";
import { nativeFs, type HostFile, type HostFs } from "./host-fs.js";

export class ShareFs {
  constructor(readonly root: string, readonly host: HostFs = nativeFs) {}

  /** The host path of `names`, after checking that the root and every directory on the way is
   *  a real directory (ENOTDIR when one is a file, ELOOP when one is a symlink). */
  async resolve(names: readonly string[]): Promise<string> {
    let at = this.root;
    await this.requireDir(at);
    for (const name of names.slice(0, -1)) {
      at = path.join(at, name);
      await this.requireDir(at);
    }
    return names.length === 0 ? at : path.join(at, names[names.length - 1]);
  }

  private async requireDir(dir: string): Promise<void> {
    const st = await this.host.lstat(dir);
    if (st.isSymbolicLink()) throw new P9Error(ERRNO.ELOOP, `${dir} is a symlink`);
    if (!st.isDirectory()) throw new P9Error(ERRNO.ENOTDIR, `${dir} is not a directory`);
  }

  /** lstat of the entry itself (a symlink is reported as one). */
  async lstat(names: readonly string[]): Promise<BigIntStats> {
    return this.host.lstat(await this.resolve(names));
  }

  /** Opens the entry without following it when it is a symlink (ELOOP). `flags` are host flags. */
  async open(names: readonly string[], flags: number, mode?: number): Promise<HostFile> {
    const file = await this.resolve(names);
    const noFollow = this.host.noFollow;
    if (noFollow !== undefined) return this.host.open(file, flags | noFollow, mode);
    // No O_NOFOLLOW: an existing symlink is refused first; a new file cannot be one (O_EXCL).
    const st = await this.host.lstat(file).catch(() => null);
    if (st?.isSymbolicLink()) throw new P9Error(ERRNO.ELOOP, `${file} is a symlink`);
    return this.host.open(file, flags, mode);
  }

  /** Sets permission bits through a descriptor of the entry itself, never a symlink's target. */
  async chmod(names: readonly string[], mode: number): Promise<void> {
    if (this.host.noFollow === undefined) {
      // Windows cannot open a directory as a file; its chmod only sets the read-only attribute.
      const file = await this.resolve(names);
      if ((await this.host.lstat(file)).isSymbolicLink()) throw new P9Error(ERRNO.ELOOP, `${file} is a symlink`);
      return this.host.chmod(file, mode);
    }
    const handle = await this.openForMetadata(names);
    try {
      await handle.chmod(mode);
    } finally {
      await handle.close();
    }
  }

  /** Cuts or extends a regular file through a no-follow descriptor: a symlink fails with ELOOP. */
  async truncate(names: readonly string[], size: number): Promise<void> {
    const handle = await this.open(names, C.O_WRONLY);
    try {
      await handle.truncate(size);
    } finally {
      await handle.close();
    }
  }

  // Reading is enough to fchmod; a file we may only write (mode 0200) is opened for writing, as
  // QEMU's fchmodat_nofollow does; a directory only ever opens for reading.
  private async openForMetadata(names: readonly string[]): Promise<HostFile> {
    try {
      return await this.open(names, C.O_RDONLY);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EACCES") throw err;
      return this.open(names, C.O_WRONLY);
    }
  }
}
