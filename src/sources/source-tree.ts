// A source archive's unpacked tree and its hash, the identity an alternative file is checked by:
// GNU's tarball and Debian's repack of it, or two git snapshots of one commit compressed
// differently, have other bytes but can hold the same tree. The hash is tree-hash.ts's (paths,
// kinds, executable bits, bytes; no mtimes, owners or modes beyond "executable or not"), taken
// below the archive's one top directory, so the directory's name does not count either.
import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import * as tar from "tar";
import { listTree, treeManifest, type TreeEntry } from "../store/tree-hash.js";
import { notOneDirectory, nothingToDrop, unreadableArchive } from "./archive-errors.js";
import { StreamedTreeUnsupported, streamedTree } from "./streamed-tree.js";
import { tarStream } from "./tar-stream.js";

/** Unpacks `archive` (named `archiveName`, whose ending says its compression) into the existing
 *  directory `into`. Paths outside `into` are refused by node-tar. */
export async function unpackArchive(archive: string, archiveName: string, into: string): Promise<void> {
  const { stream, child } = await tarStream(archive, archiveName);
  try {
    await pipeline(stream, tar.x({ cwd: into, strict: true, preserveOwner: false }));
    await child;
  } catch (error) {
    child?.kill();
    throw unreadableArchive(archiveName, error);
  }
}

/**
 * The directory holding the tree of an archive unpacked into `dir`: `dir` itself for ".", else its
 * only entry, which must be a directory (named `unpacksTo`, or anything for "*"). Anything beside
 * it is refused: it would be served without being hashed.
 */
export async function treeRoot(dir: string, unpacksTo: string, archiveName: string): Promise<string> {
  if (unpacksTo === ".") return dir;
  const names = (await fs.readdir(dir)).sort();
  const only = names.length === 1 ? names[0] : undefined;
  const isDir = only !== undefined && (await fs.lstat(path.join(dir, only))).isDirectory();
  if (isDir && (unpacksTo === "*" || only === unpacksTo)) return path.join(dir, only);
  throw notOneDirectory(archiveName, unpacksTo, names);
}

/** Deletes `paths` (relative to root); each must exist, or the declaration is wrong. */
export async function dropPaths(root: string, paths: readonly string[], archiveName: string): Promise<void> {
  for (const relative of paths) {
    const full = path.join(root, ...relative.split("/"));
    if (!(await fs.lstat(full).then(() => true, () => false))) {
      throw nothingToDrop(archiveName, relative);
    }
    await fs.rm(full, { recursive: true, force: true });
  }
}

function isUnder(entry: string, paths: readonly string[]): boolean {
  return paths.some((p) => entry === p || entry.startsWith(`${p}/`));
}

/** The tree's hash, leaving out `differs` (and everything below them). */
export function treeSha256(entries: readonly TreeEntry[], differs: readonly string[] = []): string {
  return createHash("sha256").update(treeManifest(entries.filter((e) => !isUnder(e.path, differs)))).digest("hex");
}

/** Lists the tree under root (sorted, parents first) and gives its files the modes the store
 *  would (0755 when any exec bit is set, else 0644; directories 0755), so a repack of it does not
 *  depend on this host's umask. */
export async function normalisedTree(root: string): Promise<TreeEntry[]> {
  const entries = await listTree(root);
  for (const entry of entries) {
    if (entry.kind === "symlink") continue;
    const mode = entry.kind === "dir" || entry.executable ? 0o755 : 0o644;
    await fs.chmod(path.join(root, ...entry.path.split("/")), mode);
  }
  return entries;
}

/** The tree hash of a whole archive as a pin declares it (what `treeSha256` of its alternatives
 *  must be): read from its tar stream, or, for an archive whose members only unpacking shows
 *  faithfully (hard links, devices), unpacked into a scratch directory under `scratchDir`,
 *  removed afterwards. */
export async function archiveTreeSha256(
  archive: string,
  options: { archiveName?: string; unpacksTo: string; drop?: readonly string[]; differs?: readonly string[]; scratchDir: string },
): Promise<string> {
  const archiveName = options.archiveName ?? path.basename(archive);
  const drop = options.drop ?? [];
  try {
    const entries = await streamedTree(archive, archiveName, options.unpacksTo);
    for (const relative of drop) {
      if (!entries.some((e) => e.path === relative)) {
        throw nothingToDrop(archiveName, relative);
      }
    }
    return treeSha256(entries.filter((e) => !isUnder(e.path, drop)), options.differs);
  } catch (error) {
    if (!(error instanceof StreamedTreeUnsupported)) throw error;
  }
  await fs.mkdir(options.scratchDir, { recursive: true });
  const work = await fs.mkdtemp(path.join(options.scratchDir, "tree-"));
  try {
    await unpackArchive(archive, archiveName, work);
    const root = await treeRoot(work, options.unpacksTo, archiveName);
    await dropPaths(root, drop, archiveName);
    return treeSha256(await listTree(root), options.differs);
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
}
