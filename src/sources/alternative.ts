// An alternative file, made to look like the pin's: unpacked on the host, checked against its
// treeSha256, and packed again as a plain tar in the pin's layout (its files under the pin's
// unpacksTo, `drop` deleted), which stages are then served under the pin's file name. The guest
// sees the pin's tree, byte for byte except the declared `differs` paths, so the stage's input hash
// stays the pin's sha256; the lock checks the output as for any build. Stage 1's busybox tar reads
// a plain tar whatever its name says (checked: `tar -xf x.tar.xz` on an uncompressed tar).
//
// The repack is kept as <cache>/alternatives/<key>.tar with <key>.json beside it, key naming the
// pin's and the alternative's declarations; the .json is written last, so a repack without one is
// incomplete and is never served. Nothing else stays: the unpacked tree is scratch.
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import * as tar from "tar";
import { sha256File } from "../sha256.js";
import { writeJsonAtomic } from "../store/atomic-file.js";
import type { Alternative, SourcePin } from "./pins.js";
import { HashMismatch, ProviderFailure } from "./providers/provider.js";
import { dropPaths, normalisedTree, treeRoot, treeSha256, unpackArchive } from "./source-tree.js";
import { indexedSha256, rememberSha256, verifiedIndexFile } from "./verified-index.js";

/** Bumped when the repack's layout or format changes, so old repacks are not served. */
const REPACK_VERSION = 1;

export interface ServedAlternative {
  /** A plain tar in the pin's layout. */
  path: string;
  sha256: string;
}

interface RepackRecord {
  version: number;
  pin: string;
  file: string;
  fileSha256: string | null;
  treeSha256: string;
  tarSha256: string;
}

function alternativeOf(pin: SourcePin, index: number): Alternative {
  const alternative = pin.alternatives?.[index];
  if (!alternative) throw new Error(`pin "${pin.name}" has no alternatives[${index}]`);
  return alternative;
}

/** What the repack depends on: the pin's layout and everything the alternative declares. */
function repackKey(pin: SourcePin, alternative: Alternative): string {
  const { file, sha256 = null, unpacksTo, treeSha256: tree, drop, differs } = alternative;
  const declared = { version: REPACK_VERSION, pin: { sha256: pin.sha256, unpacksTo: pin.unpacksTo }, file, sha256, unpacksTo, tree, drop, differs };
  return createHash("sha256").update(JSON.stringify(declared)).digest("hex").slice(0, 32);
}

function repackPaths(cacheDir: string, pin: SourcePin, alternative: Alternative): { tar: string; record: string } {
  const base = path.join(cacheDir, "alternatives", repackKey(pin, alternative));
  return { tar: `${base}.tar`, record: `${base}.json` };
}

/** The repack of alternative `index` if an earlier fetch completed it and its bytes are unchanged. */
export async function cachedAlternative(pin: SourcePin, index: number, cacheDir: string, log: (line: string) => void): Promise<ServedAlternative | null> {
  const paths = repackPaths(cacheDir, pin, alternativeOf(pin, index));
  let record: RepackRecord;
  try {
    record = JSON.parse(await fs.readFile(paths.record, "utf8")) as RepackRecord;
  } catch {
    return null;
  }
  const actual = await indexedSha256(verifiedIndexFile(cacheDir), paths.tar).catch(() => undefined);
  if (actual === record.tarSha256) return { path: paths.tar, sha256: actual };
  log(`warning: cached repack ${paths.tar} of ${record.file} does not match its record; deleting it`);
  await fs.rm(paths.record, { force: true });
  await fs.rm(paths.tar, { force: true });
  return null;
}

/**
 * Checks the verified (or, for a snapshot, just downloaded) `archive` of alternative `index`
 * against its treeSha256 and keeps its repack. A tree that differs is a HashMismatch naming the
 * pin, the file and both tree hashes; nothing is kept then.
 */
export async function serveAlternative(
  pin: SourcePin,
  index: number,
  archive: string,
  cacheDir: string,
  log: (line: string) => void,
): Promise<ServedAlternative> {
  const alternative = alternativeOf(pin, index);
  const paths = repackPaths(cacheDir, pin, alternative);
  const dir = path.dirname(paths.tar);
  await fs.mkdir(dir, { recursive: true });
  const work = await fs.mkdtemp(path.join(dir, ".work-"));
  const tempTar = `${paths.tar}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    log(`${pin.file}: unpacking ${alternative.file} to check its tree`);
    const unpacked = path.join(work, "x");
    await fs.mkdir(unpacked);
    await unpackArchive(archive, alternative.file, unpacked);
    const root = await treeRoot(unpacked, alternative.unpacksTo, alternative.file);
    await dropPaths(root, alternative.drop, alternative.file);
    const entries = await normalisedTree(root);
    const actual = treeSha256(entries, alternative.differs);
    if (actual !== alternative.treeSha256) {
      throw new HashMismatch(
        `pin "${pin.name}": alternative ${alternative.file} unpacks to a tree with sha256 ${actual}, ${pin.origin ?? "the pin"} expects treeSha256 ${alternative.treeSha256}`,
        `the file's content is not the pin's: check alternatives[${index}] of "${pin.name}" (unpacksTo, drop, differs, treeSha256), or fetch the pin's own file (--mirror, apt)`,
      );
    }
    // The same tree must pack to the same bytes (below). Files keep the archive's times and tar's
    // portable mode leaves directories' out; a symlink would carry the time it was unpacked (tar
    // restores no symlink times), so it gets the epoch too.
    for (const entry of entries) {
      if (entry.kind === "symlink") await fs.lutimes(path.join(root, ...entry.path.split("/")), 0, 0);
    }
    // The pin's layout: its files at the archive root, or under its one directory.
    let cwd = root;
    let members = entries.map((e) => e.path);
    if (pin.unpacksTo !== undefined && pin.unpacksTo !== ".") {
      cwd = path.join(work, "served");
      await fs.mkdir(cwd);
      await fs.rename(root, path.join(cwd, pin.unpacksTo));
      await fs.chmod(path.join(cwd, pin.unpacksTo), 0o755);
      members = [pin.unpacksTo, ...members.map((m) => `${pin.unpacksTo}/${m}`)];
    }
    // Sorted, parents first, no owners: the same tree packs to the same bytes here and elsewhere.
    await tar.c({ cwd, file: tempTar, portable: true, noDirRecurse: true, strict: true }, members);
    const tarSha256 = await sha256File(tempTar);
    await fs.rename(tempTar, paths.tar);
    await rememberSha256(verifiedIndexFile(cacheDir), paths.tar, tarSha256);
    const record: RepackRecord = { version: REPACK_VERSION, pin: pin.name, file: alternative.file, fileSha256: alternative.sha256 ?? null, treeSha256: actual, tarSha256 };
    await writeJsonAtomic(paths.record, record);
    return { path: paths.tar, sha256: tarSha256 };
  } catch (error) {
    // Say which declaration to look at: the clause names the file, not the pin.
    if (error instanceof ProviderFailure && error.hint) {
      throw new ProviderFailure(error.clause, `${error.hint} (alternatives[${index}] of "${pin.name}" in ${pin.origin ?? "the pins"})`);
    }
    throw error;
  } finally {
    await fs.rm(tempTar, { force: true });
    await fs.rm(work, { recursive: true, force: true });
  }
}
