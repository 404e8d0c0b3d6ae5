// Writes an output's canonical tar (the bytes packOutput in src/cache/output-archive.ts gives for
// the same tree on Linux) from its manifest and a way to read each file's bytes, so an output that
// lives in our 9p server's memory (--share-fs memory|foreign) becomes a store archive without ever
// being a tree on the host, whose file system may not hold its exec bits, symlinks or names.
// The headers are node-tar's own (Header, Pax) with the fields its WriteEntry sets in portable
// mode: no owners, mtime 0 (none for directories), a pax header only when a field needs one.
import fs from "node:fs/promises";
import { Header, Pax } from "tar";
import type { ManifestEntry } from "./manifest.js";

/** What a file's bytes are read through: a FileHandle, or our 9p trees' TreeFile. */
export interface ContentReader {
  read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
  close(): Promise<void>;
}

const BLOCK = 512;
const CHUNK = 1 << 20;
const EPOCH = new Date(0);

/** node-tar's portable modes: files as the manifest says, directories 0755, symlinks 0755 (lstat's
 *  0777 on Linux, less group and other write). */
function tarMode(entry: ManifestEntry): number {
  return entry.type === "file" && entry.mode === "0644" ? 0o644 : 0o755;
}

/** The header block(s) of one member: a pax header first when a field does not fit ustar. */
function headerBlocks(entry: ManifestEntry): Buffer {
  const type = entry.type === "file" ? "File" : entry.type === "dir" ? "Directory" : "SymbolicLink";
  // A directory's name ends in "/"; an empty output is one "./" entry, as tar.c([".""]) writes.
  const name = entry.type === "dir" ? `${entry.path}/` : entry.path;
  const mtime = entry.type === "dir" ? undefined : EPOCH;
  const linkpath = entry.type === "symlink" ? entry.target : undefined;
  const size = entry.type === "file" ? entry.size : 0;
  const header = new Header({ path: name, linkpath, mode: tarMode(entry), size, mtime, type });
  const blocks: Buffer[] = [];
  if (header.encode()) blocks.push(new Pax({ mtime, path: name, linkpath, size }).encode());
  blocks.push(header.block!);
  return Buffer.concat(blocks);
}

/**
 * Writes the tar of `manifest` (sorted by path, as manifests are) to `file`, which must not exist;
 * `open` gives a file's bytes by its path. A file that reads a different length than its manifest
 * entry says fails the write: the output changed under us.
 */
export async function writeCanonicalTar(manifest: ManifestEntry[], open: (path: string) => Promise<ContentReader>, file: string): Promise<void> {
  const out = await fs.open(file, "wx");
  try {
    const members = manifest.length > 0 ? manifest : [{ path: ".", type: "dir", mode: "0755", size: 0, sha256: "", target: "" } satisfies ManifestEntry];
    for (const entry of members) {
      await out.write(headerBlocks(entry));
      if (entry.type !== "file" || entry.size === 0) continue;
      const written = await copyBytes(await open(entry.path), out, entry.size);
      if (written !== entry.size) throw new Error(`${entry.path}: read ${written} bytes, its manifest says ${entry.size}`);
      const pad = (BLOCK - (written % BLOCK)) % BLOCK;
      if (pad > 0) await out.write(new Uint8Array(pad));
    }
    // The end of the archive: two zero blocks, as node-tar's Pack ends it.
    await out.write(new Uint8Array(2 * BLOCK));
    await out.sync();
  } finally {
    await out.close();
  }
}

/** Copies up to `size` bytes (one more, to notice a file that grew); returns how many it read. */
async function copyBytes(from: ContentReader, to: fs.FileHandle, size: number): Promise<number> {
  const buffer = new Uint8Array(Math.min(CHUNK, size + 1));
  let position = 0;
  try {
    while (position <= size) {
      const { bytesRead } = await from.read(buffer, 0, Math.min(buffer.byteLength, size + 1 - position), position);
      if (bytesRead === 0) break;
      if (position + bytesRead > size) return position + bytesRead;
      await to.write(buffer, 0, bytesRead);
      position += bytesRead;
    }
  } finally {
    await from.close();
  }
  return position;
}
