// The guest's fids: each names a path below the share's root, and may hold an open file or a
// directory listing. A rename moves every fid at or below the old path with it, so a fid walked
// into `d` names `d2` after `mv d d2`: it neither acts on whatever is made at `d` next (a symlink
// out of the share, say) nor loses its file (ENOENT), which is what the guest's kernel expects.
import type { TreeFile } from "./share-tree.js";
import { ERRNO, P9Error } from "./errno.js";
import type { Qid } from "./wire.js";

export interface DirEntry { name: string; qid: Qid; type: number }

export interface Fid {
  /** Components below the share's root: never "." or "..", never containing "/". */
  names: string[];
  file?: TreeFile;
  entries?: DirEntry[];
}

function startsWith(names: readonly string[], prefix: readonly string[]): boolean {
  return prefix.length <= names.length && prefix.every((name, i) => names[i] === name);
}

export class FidTable {
  private readonly fids = new Map<number, Fid>();

  /** The fid, or EBADF. */
  get(id: number): Fid {
    const fid = this.fids.get(id);
    if (!fid) throw new P9Error(ERRNO.EBADF, `unknown fid ${id}`);
    return fid;
  }

  /** Makes `id` name `fid`, closing what the fid it replaces held open. */
  async set(id: number, fid: Fid): Promise<void> {
    const replaced = this.fids.get(id);
    if (replaced !== fid) await replaced?.file?.close();
    this.fids.set(id, fid);
  }

  /** Forgets `id`, closing its file. */
  async drop(id: number): Promise<void> {
    const fid = this.fids.get(id);
    this.fids.delete(id);
    await fid?.file?.close();
  }

  /** Closes every open file and forgets every fid. */
  async clear(): Promise<void> {
    const all = [...this.fids.values()];
    this.fids.clear();
    for (const fid of all) await fid.file?.close().catch(() => undefined);
  }

  /** After `from` was renamed to `to` on the host: every fid at or below `from` follows it. */
  renamed(from: readonly string[], to: readonly string[]): void {
    for (const fid of this.fids.values()) {
      if (startsWith(fid.names, from)) fid.names = [...to, ...fid.names.slice(from.length)];
    }
  }
}
