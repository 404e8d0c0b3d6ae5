// The cas/ blob of a stage: a plain tar of its out/ that depends only on the output's identity, so
// every machine that built the same output uploads the same bytes under the same key (two CI jobs
// racing to push one stage write identical blobs). Entries in manifest order, mtime 0, no owners,
// no hard links (a second name is a second copy, as in the manifest), modes as the store keeps
// them. Unpacking admits only what a store entry may hold.
import type { Stats } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import * as tar from "tar";
import { sha256File } from "../sha256.js";

/** Each path's lstat, told as if it had one name (nlink 1): node-tar turns a second name of an
 *  inode into a hard-link entry, and its linkCache option cannot opt out (an empty file with two
 *  names then ends the stream early); a stat cache it reads first can. */
async function oneNameStats(root: string, paths: string[]): Promise<Map<string, Stats>> {
  const stats = new Map<string, Stats>();
  for (const rel of paths) {
    const absolute = path.resolve(root, rel);
    const stat = await fs.lstat(absolute);
    stats.set(absolute, Object.assign(Object.create(Object.getPrototypeOf(stat) as object) as Stats, stat, { nlink: 1 }));
  }
  return stats;
}

/** Every path under `root`, sorted byte-wise (parents before children). */
async function sortedPaths(root: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (relative: string): Promise<void> => {
    for (const entry of await fs.readdir(path.join(root, relative), { withFileTypes: true })) {
      const rel = relative ? `${relative}/${entry.name}` : entry.name;
      found.push(rel);
      if (entry.isDirectory()) await walk(rel);
    }
  };
  await walk("");
  return found.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

/** Writes the tar of `outDir` to `file`; returns its sha256 and size. */
export async function packOutput(outDir: string, file: string): Promise<{ sha256: string; size: number }> {
  const paths = await sortedPaths(outDir);
  await tar.c({
    file,
    cwd: outDir,
    portable: true,
    mtime: new Date(0),
    noDirRecurse: true,
    follow: false,
    statCache: await oneNameStats(outDir, paths),
    strict: true,
  }, paths.length > 0 ? paths : ["."]);
  return { sha256: await sha256File(file), size: (await fs.stat(file)).size };
}

const ALLOWED = new Set(["File", "OldFile", "ContiguousFile", "Directory"]);

/**
 * Unpacks a blob into `into` (which must not exist yet). Refuses hard links, devices, FIFOs,
 * absolute paths and `..`, rather than skipping them: a blob holding any is not a store entry.
 *
 * Symlinks are made by us, after every file and directory is written: node-tar refuses a link
 * whose target passes through another link (binutils' `x86_64-…/bin/ld.bfd -> ../../bin/ld.bfd`,
 * itself `-> ld`), and making them last means nothing is ever written through one. A link whose
 * own parent is a link is refused. Extraction is not strict, so it runs to its end before we
 * judge its warnings: a rejected archive leaves no write in flight in the temp directory.
 */
export async function unpackOutput(file: string, into: string): Promise<void> {
  await fs.mkdir(into, { recursive: true });
  const refused: string[] = [];
  const links: Array<{ path: string; target: string }> = [];
  await tar.x({
    file,
    cwd: into,
    strict: false,
    preservePaths: false,
    preserveOwner: false,
    noMtime: true,
    onwarn: (code, message) => refused.push(`${code}: ${String(message)}`),
    filter: (entryPath, entry) => {
      const type = "type" in entry ? entry.type : "File";
      if (path.isAbsolute(entryPath) || entryPath.split("/").includes("..")) refused.push(`${entryPath} (outside the output)`);
      else if (type === "SymbolicLink" && "linkpath" in entry && entry.linkpath) links.push({ path: entryPath.replace(/\/+$/, ""), target: entry.linkpath });
      else if (ALLOWED.has(type)) return true;
      else refused.push(`${entryPath} (${type})`);
      return false;
    },
  });
  if (refused.length === 0) {
    for (const link of links.sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)))) {
      const problem = await makeLink(into, link.path, link.target);
      if (problem) refused.push(`${link.path} (${problem})`);
    }
  }
  if (refused.length > 0) throw new Error(`the archive holds what no store entry may: ${refused.slice(0, 3).join(", ")}${refused.length > 3 ? ` and ${refused.length - 3} more` : ""}`);
}

/** Creates one symlink below `root` after checking that no directory on its way is a link. */
async function makeLink(root: string, rel: string, target: string): Promise<string | null> {
  const parts = rel.split("/").filter((p) => p !== "" && p !== ".");
  if (parts.length === 0) return "no name";
  let dir = root;
  for (const part of parts.slice(0, -1)) {
    dir = path.join(dir, part);
    const stat = await fs.lstat(dir).catch(() => null);
    if (stat === null) await fs.mkdir(dir);
    else if (!stat.isDirectory()) return `${stat.isSymbolicLink() ? "a link" : "a file"} on its path`;
  }
  try {
    await fs.symlink(target, path.join(dir, parts.at(-1)!));
    return null;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? String(error);
  }
}
