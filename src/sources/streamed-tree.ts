// The tree an archive unpacks to, read from its tar stream without writing a file: the entries
// listTree (store/tree-hash.ts) would list after node-tar unpacked it, in the same order. Checking
// a pin's tree this way reads LLVM's 132,019 files in one pass instead of creating them on disk.
// Archives with members whose unpacked form depends on the host or on node-tar's ways (hard links,
// devices, fifos, unsafe paths, a member given twice) are not listed here: the caller unpacks those instead (StreamedTreeUnsupported).
import { createHash } from "node:crypto";
import { pipeline } from "node:stream/promises";
import * as tar from "tar";
import type { TreeEntry } from "../store/tree-hash.js";
import { notOneDirectory, unreadableArchive } from "./archive-errors.js";
import { tarStream } from "./tar-stream.js";

/** The archive holds something only unpacking shows faithfully. */
export class StreamedTreeUnsupported extends Error {}

const FILE_TYPES = new Set(["File", "OldFile", "ContiguousFile"]);

/** listTree's order: parents first, siblings by name in JavaScript's default string order. */
function treeOrder(a: string, b: string): number {
  const x = a.split("/");
  const y = b.split("/");
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
  }
  return x.length - y.length;
}

/** A member's path as node-tar unpacks it ("./a/b/" → "a/b"), or null for the root itself. */
function memberPath(raw: string): string | null {
  const parts = raw.split("/").filter((p) => p !== "" && p !== ".");
  if (parts.some((p) => p === "..") || raw.startsWith("/")) throw new StreamedTreeUnsupported(`unsafe member path ${raw}`);
  return parts.length === 0 ? null : parts.join("/");
}

/** Every member of the archive (paths from the archive root), later members replacing earlier
 *  ones as unpacking would, with the directories their paths imply. */
async function members(archive: string, archiveName: string): Promise<Map<string, TreeEntry>> {
  const entries = new Map<string, TreeEntry>();
  const pending: Promise<void>[] = [];
  const seen = new Set<string>();
  const parser = new tar.Parser({ strict: true });
  parser.on("entry", (entry: tar.ReadEntry) => {
    const rel = memberPath(entry.path);
    if (rel === null) {
      entry.resume();
      return;
    }
    // A member given twice: node-tar writes the second over the first but keeps the first's mode.
    if (seen.has(rel)) parser.abort(new StreamedTreeUnsupported(`${entry.path} appears twice`));
    seen.add(rel);
    if (FILE_TYPES.has(entry.type)) {
      const hash = createHash("sha256");
      let size = 0;
      const executable = ((entry.mode ?? 0) & 0o111) !== 0;
      entry.on("data", (chunk: Buffer) => {
        hash.update(chunk);
        size += chunk.length;
      });
      pending.push(new Promise((resolve) => entry.on("end", () => {
        entries.set(rel, { path: rel, kind: "file", executable, size, sha256: hash.digest("hex") });
        resolve();
      })));
      return;
    }
    if (entry.type === "Directory") {
      entries.set(rel, { path: rel, kind: "dir", executable: false, size: 0, sha256: "" });
    } else if (entry.type === "SymbolicLink") {
      const target = entry.linkpath ?? "";
      entries.set(rel, { path: rel, kind: "symlink", executable: false, size: target.length, sha256: createHash("sha256").update(target).digest("hex") });
    } else {
      parser.abort(new StreamedTreeUnsupported(`${entry.type} member ${entry.path}`));
    }
    entry.resume();
  });
  const { stream, child } = await tarStream(archive, archiveName);
  try {
    await pipeline(stream, parser);
    await child;
    await Promise.all(pending);
  } catch (error) {
    child?.kill();
    if (error instanceof StreamedTreeUnsupported) throw error;
    throw unreadableArchive(archiveName, error);
  }
  for (const rel of [...entries.keys()]) {
    const parts = rel.split("/");
    for (let i = 1; i < parts.length; i++) {
      const parent = parts.slice(0, i).join("/");
      if (!entries.has(parent)) entries.set(parent, { path: parent, kind: "dir", executable: false, size: 0, sha256: "" });
    }
  }
  return entries;
}

/**
 * The tree below the archive's one top directory (named `unpacksTo`, or anything for "*"; "." for
 * files at the archive root), listed as listTree lists an unpacked copy. Anything beside that
 * directory is refused, as treeRoot refuses it.
 */
export async function streamedTree(archive: string, archiveName: string, unpacksTo: string): Promise<TreeEntry[]> {
  const all = await members(archive, archiveName);
  let entries = [...all.values()];
  if (unpacksTo !== ".") {
    const tops = [...new Set(entries.map((e) => e.path.split("/")[0]))].sort();
    const top = tops.length === 1 && all.get(tops[0])?.kind === "dir" ? tops[0] : undefined;
    if (top === undefined || (unpacksTo !== "*" && top !== unpacksTo)) {
      throw notOneDirectory(archiveName, unpacksTo, tops);
    }
    entries = entries.filter((e) => e.path !== top).map((e) => ({ ...e, path: e.path.slice(top.length + 1) }));
  }
  return entries.sort((a, b) => treeOrder(a.path, b.path));
}
