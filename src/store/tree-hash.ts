// Content hash of a directory tree: paths, kinds, executable bits and bytes; nothing host-specific
// (no mtimes, owners or inode numbers), so equal trees hash equal on any machine.
import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { sha256File } from "../sha256.js";

export interface TreeEntry {
  path: string;
  kind: "file" | "dir" | "symlink";
  executable: boolean;
  size: number;
  /** sha256 of the bytes (file) or of the link target (symlink); empty for directories. */
  sha256: string;
}

export async function listTree(root: string, relative = ""): Promise<TreeEntry[]> {
  const entries: TreeEntry[] = [];
  const names = (await fs.readdir(path.join(root, relative))).sort();
  for (const name of names) {
    const rel = relative ? `${relative}/${name}` : name;
    const full = path.join(root, rel);
    const stat = await fs.lstat(full);
    if (stat.isSymbolicLink()) {
      const target = await fs.readlink(full);
      entries.push({ path: rel, kind: "symlink", executable: false, size: target.length, sha256: createHash("sha256").update(target).digest("hex") });
    } else if (stat.isDirectory()) {
      entries.push({ path: rel, kind: "dir", executable: false, size: 0, sha256: "" });
      entries.push(...(await listTree(root, rel)));
    } else if (stat.isFile()) {
      entries.push({ path: rel, kind: "file", executable: (stat.mode & 0o111) !== 0, size: stat.size, sha256: await sha256File(full) });
    }
  }
  return entries;
}

/** One line per entry; its sha256 is the tree's identity. */
export function treeManifest(entries: TreeEntry[]): string {
  return entries.map((e) => `${e.kind} ${e.executable ? "x" : "-"} ${e.sha256 || "-"} ${e.path}\n`).join("");
}

export async function hashTree(root: string): Promise<{ sha256: string; entries: TreeEntry[] }> {
  const entries = await listTree(root);
  return { sha256: createHash("sha256").update(treeManifest(entries)).digest("hex"), entries };
}
