// The output of a stage whose /out was a MetaTree (meta-tree.ts): its identity is computed from the
// tree's own metadata (names, types, exec bits, symlink targets) and the bytes of its files, never
// from what the host file system made of them, so it is the same canonical manifest
// (src/store/manifest.ts) that a Linux directory with the same contents gives. Then the tree is
// written out as a plain directory for the store.
import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { manifestSha256, type ManifestEntry, type OutputIdentity } from "../../store/manifest.js";
import type { MetaFile, MetaTree } from "./meta-tree.js";

const CHUNK = 1 << 20;

async function contentSha256(tree: MetaTree, file: MetaFile): Promise<string> {
  const hash = createHash("sha256");
  const handle = await tree.openContent(file);
  try {
    const buffer = new Uint8Array(CHUNK);
    for (let position = 0; ; ) {
      const { bytesRead } = await handle.read(buffer, 0, CHUNK, position);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
      position += bytesRead;
    }
  } finally {
    await handle.close();
  }
  return hash.digest("hex");
}

/** Writes a file's bytes (a tar member, say) to a new host file. */
async function copyContent(tree: MetaTree, node: MetaFile, to: string): Promise<void> {
  const from = await tree.openContent(node);
  const out = await fs.open(to, "wx");
  try {
    const buffer = new Uint8Array(CHUNK);
    for (let position = 0; ; ) {
      const { bytesRead } = await from.read(buffer, 0, CHUNK, position);
      if (bytesRead === 0) break;
      await out.write(buffer, 0, bytesRead);
      position += bytesRead;
    }
  } finally {
    await out.close();
    await from.close();
  }
}

/** The output's identity, as captureOutput would give for the same tree on Linux: files 0755 when
 *  the guest set any exec bit, else 0644; directories 0755; a second name of a file is a second
 *  entry. The tree holds nothing else (the server refuses device nodes, FIFOs and sockets). */
export async function captureMetaTree(tree: MetaTree): Promise<OutputIdentity> {
  const manifest: ManifestEntry[] = [];
  for (const { path: rel, node } of tree.list()) {
    if (node.kind === "dir") manifest.push({ path: rel, type: "dir", mode: "0755", size: 0, sha256: "", target: "" });
    else if (node.kind === "symlink") manifest.push({ path: rel, type: "symlink", mode: "", size: Buffer.byteLength(node.target), sha256: "", target: node.target });
    else manifest.push({ path: rel, type: "file", mode: node.mode & 0o111 ? "0755" : "0644", size: Number(await tree.size(node)), sha256: await contentSha256(tree, node), target: "" });
  }
  const files = manifest.filter((e) => e.type !== "dir");
  return { sha256: manifestSha256(manifest), manifest, bytes: files.reduce((sum, e) => sum + e.size, 0), files: files.length };
}

/**
 * Writes the tree into `into` (an empty directory) as captureOutput leaves a tree: 0755/0644
 * files, 0755 directories, symlinks last (nothing is written through one). Spilled bytes are moved,
 * not copied, so the tree must not be served afterwards. Exact where the store's file system holds
 * exec bits and symlinks; the caller checks that by capturing `into` again.
 */
export async function materialiseMetaTree(tree: MetaTree, into: string): Promise<void> {
  const links: Array<{ file: string; target: string }> = [];
  // A file's bytes are moved to its first name; later names of the same file copy them.
  const placed = new Map<MetaFile, string>();
  for (const { path: rel, node } of tree.list()) {
    const file = path.join(into, ...rel.split("/"));
    if (node.kind === "dir") {
      await fs.mkdir(file, { mode: 0o755 });
      await fs.chmod(file, 0o755);
    } else if (node.kind === "symlink") {
      links.push({ file, target: node.target });
    } else {
      const first = placed.get(node);
      if (first) await fs.copyFile(first, file, fs.constants.COPYFILE_EXCL);
      else if (node.content.kind === "spill") await fs.rename(node.content.file, file);
      else if (node.content.offset === undefined) await fs.copyFile(node.content.file, file, fs.constants.COPYFILE_EXCL);
      else await copyContent(tree, node, file);
      placed.set(node, first ?? file);
      await fs.chmod(file, node.mode & 0o111 ? 0o755 : 0o644);
    }
  }
  for (const link of links) await fs.symlink(link.target, link.file);
}
