// The cas/ blob of a stage: a plain tar of its out/ that depends only on the output's identity, so
// every machine that built the same output uploads the same bytes under the same key (two CI jobs
// racing to push one stage write identical blobs). Entries in manifest order, mtime 0, no owners,
// no hard links (a second name is a second copy, as in the manifest), modes as the store keeps
// them. Unpacking admits only what a store entry may hold.
import fs from "node:fs/promises";
import path from "node:path";
import * as tar from "tar";
import { sha256File } from "../sha256.js";

/** node-tar turns a second name of an inode into a hard-link entry; remembering nothing makes
 *  every name a regular file. */
class NoLinks<K, V> extends Map<K, V> {
  override get(): V | undefined {
    return undefined;
  }
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
    linkCache: new NoLinks(),
    strict: true,
  }, paths.length > 0 ? paths : ["."]);
  return { sha256: await sha256File(file), size: (await fs.stat(file)).size };
}

const ALLOWED = new Set(["File", "OldFile", "ContiguousFile", "Directory", "SymbolicLink"]);

/** Unpacks a blob into `into` (which must not exist yet). Refuses hard links, devices, FIFOs,
 *  absolute paths and `..`, rather than skipping them: a blob holding any is not a store entry. */
export async function unpackOutput(file: string, into: string): Promise<void> {
  await fs.mkdir(into, { recursive: true });
  const refused: string[] = [];
  await tar.x({
    file,
    cwd: into,
    strict: true,
    preservePaths: false,
    preserveOwner: false,
    noMtime: true,
    filter: (entryPath, entry) => {
      const type = "type" in entry ? entry.type : "File";
      const parts = entryPath.split("/");
      if (!ALLOWED.has(type)) refused.push(`${entryPath} (${type})`);
      else if (path.isAbsolute(entryPath) || parts.includes("..")) refused.push(`${entryPath} (outside the output)`);
      else return true;
      return false;
    },
  });
  if (refused.length > 0) throw new Error(`the archive holds what no store entry may: ${refused.slice(0, 3).join(", ")}${refused.length > 3 ? ` and ${refused.length - 3} more` : ""}`);
}
