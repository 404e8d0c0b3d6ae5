// Reproducible packing of a stage output: the sha256 of this tar is the stage's output hash, the
// value locked in recipes/lock.json. Entries sorted by path, mtime 0, no owners, modes 0755/0644,
// uncompressed (gzip headers carry platform bytes).
import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import * as tar from "tar";
import { listTree } from "./tree-hash.js";

/** Executables and directories become 0755, other files 0644: the guest's umask must not matter. */
export async function normaliseModes(dir: string): Promise<void> {
  for (const entry of await listTree(dir)) {
    if (entry.kind === "symlink") continue;
    const mode = entry.kind === "dir" || entry.executable ? 0o755 : 0o644;
    await fs.chmod(path.join(dir, entry.path), mode);
  }
}

/** sha256 and size of the reproducible tar of `dir` (streamed, never written). */
export async function packedSha256(dir: string): Promise<{ sha256: string; bytes: number }> {
  const entries = (await listTree(dir)).map((e) => e.path);
  const hash = createHash("sha256");
  let bytes = 0;
  if (entries.length === 0) return { sha256: hash.update("").digest("hex"), bytes };
  const stream = tar.c({ cwd: dir, portable: true, mtime: new Date(0), noDirRecurse: true, follow: false }, entries);
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    hash.update(chunk);
  }
  return { sha256: hash.digest("hex"), bytes };
}
