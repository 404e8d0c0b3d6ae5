// Durable, atomic file writes: readers (and a crash at any moment) see the old file or the whole
// new one, never a torn one. write-file-atomic gives a unique temp name per process, thread and
// call, fsyncs it and renames it over the target; we then fsync the directory so the rename
// itself survives a power cut.
import fs from "node:fs/promises";
import path from "node:path";
import writeFileAtomic from "write-file-atomic";

export interface AtomicWriteOptions {
  /** File mode; default 0644 for a new file, the old file's mode when replacing one. */
  mode?: number;
}

export async function writeAtomic(file: string, data: string | Buffer, opts: AtomicWriteOptions = {}): Promise<void> {
  await writeFileAtomic(file, data, { fsync: true, ...(opts.mode === undefined ? {} : { mode: opts.mode }) });
  await fsyncDir(path.dirname(file));
}

/** Pretty JSON with a final newline, written atomically. */
export async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  await writeAtomic(file, JSON.stringify(value, null, 2) + "\n");
}

/** Copies `from` to `to` atomically (same bytes, then one rename). */
export async function copyAtomic(from: string, to: string, opts: AtomicWriteOptions = {}): Promise<void> {
  await writeAtomic(to, await fs.readFile(from), opts);
}

/** Makes a directory's entries (a rename into it, a new file) durable. Windows cannot open a
 *  directory for fsync and does not need it (NTFS journals metadata), so it is skipped there. */
export async function fsyncDir(dir: string): Promise<void> {
  if (process.platform === "win32") return;
  const handle = await fs.open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
