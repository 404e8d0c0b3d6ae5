// The verified-source index (<cache>/sources/.verified.json): after a file's sha256 has been
// computed, its identity (device, inode, size, mtime in ns) → sha256 is recorded, and later
// invocations trust an unchanged file without reading it; a no-op build then reads no tarball.
// ctime is left out on purpose: hard-linking a source into a run's share changes its ctime (link
// count), so every build would invalidate the entries of the sources it used. Writers that keep
// inode, size and mtime while changing bytes (e.g. `cp --preserve=timestamps` over a same-sized
// file) are the accepted blind spot, as they are for make and rsync.
import fs from "node:fs/promises";
import path from "node:path";
import { sha256File } from "../sha256.js";
import { writeJsonAtomic } from "../store/atomic-file.js";

interface Identity {
  dev: string;
  ino: string;
  size: string;
  mtimeNs: string;
}

interface IndexFile {
  version: 1;
  files: Record<string, Identity & { sha256: string }>;
}

export function verifiedIndexFile(cacheDir: string): string {
  return path.join(cacheDir, "sources", ".verified.json");
}

async function identityOf(file: string): Promise<Identity> {
  const stat = await fs.stat(file, { bigint: true });
  return { dev: String(stat.dev), ino: String(stat.ino), size: String(stat.size), mtimeNs: String(stat.mtimeNs) };
}

function sameIdentity(a: Identity, b: Identity): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs;
}

/** An unreadable or torn index is an empty one: it is only a cache of hashes. */
async function load(indexFile: string): Promise<IndexFile> {
  try {
    const index = JSON.parse(await fs.readFile(indexFile, "utf8")) as IndexFile;
    if (index.version === 1 && typeof index.files === "object" && index.files !== null) return index;
  } catch {
    // fall through
  }
  return { version: 1, files: {} };
}

/** The sha256 recorded for `file` if it is unchanged since, else undefined (nothing is read). */
export async function knownSha256(indexFile: string, file: string): Promise<string | undefined> {
  const known = (await load(indexFile)).files[path.resolve(file)];
  if (!known) return undefined;
  const now = await identityOf(file).catch(() => undefined);
  return now && sameIdentity(known, now) ? known.sha256 : undefined;
}

/** Records `sha256` (just computed from its bytes) for `file` as it is now. Concurrent writers
 *  may drop each other's additions; that costs a re-hash later, never a wrong answer. */
export async function rememberSha256(indexFile: string, file: string, sha256: string): Promise<void> {
  await record(indexFile, file, await identityOf(file), sha256);
}

async function record(indexFile: string, file: string, identity: Identity, sha256: string): Promise<void> {
  const index = await load(indexFile);
  index.files[path.resolve(file)] = { ...identity, sha256 };
  await fs.mkdir(path.dirname(indexFile), { recursive: true });
  await writeJsonAtomic(indexFile, index);
}

/** Drops what the index knows about `file` (e.g. once it was found corrupt and deleted). */
export async function forgetSha256(indexFile: string, file: string): Promise<void> {
  const index = await load(indexFile);
  if (!(path.resolve(file) in index.files)) return;
  delete index.files[path.resolve(file)];
  await writeJsonAtomic(indexFile, index);
}

/** sha256 of `file`: from the index when the file is unchanged, else computed and recorded. */
export async function indexedSha256(indexFile: string, file: string): Promise<string> {
  const known = await knownSha256(indexFile, file);
  if (known !== undefined) return known;
  // Identity before hashing: a change during the read then leaves a stale identity, which only
  // causes a re-hash, never trust in bytes that were not hashed.
  const before = await identityOf(file);
  const sha256 = await sha256File(file);
  await record(indexFile, file, before, sha256);
  return sha256;
}
