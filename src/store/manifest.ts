// A stage output's identity: the sha256 of its canonical manifest, one line per entry (path, type,
// normalised mode, size, content sha256 or link target), sorted by path. Nothing of the host file
// system enters it: not hard links (two names, two entries), mtimes, owners, inode or directory
// order, nor mode bits beyond "executable or not". This value is what recipes/lock.json holds; the
// manifest itself is kept in the store entry's record.json, so a mismatch can name the files.
import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { ZilchError } from "../errors.js";
import { sha256File } from "../sha256.js";

export interface ManifestEntry {
  path: string;
  type: "file" | "dir" | "symlink";
  /** "0755" or "0644" for files, "0755" for directories, "" for symlinks. */
  mode: string;
  /** Bytes of a file, of a symlink's target; 0 for directories. */
  size: number;
  /** Content sha256 of a file; "" otherwise. */
  sha256: string;
  /** A symlink's target; "" otherwise. */
  target: string;
}

export interface OutputIdentity {
  sha256: string;
  manifest: ManifestEntry[];
  /** Sum of file sizes. */
  bytes: number;
  /** Entries that are not directories. */
  files: number;
}

const HEADER = "zilchboot output manifest v1\n";

/** One line per entry: a JSON array, so any byte in a name is unambiguous. */
export function manifestText(manifest: ManifestEntry[]): string {
  return HEADER + manifest.map((e) => JSON.stringify([e.path, e.type, e.mode, e.size, e.sha256, e.target]) + "\n").join("");
}

export function manifestSha256(manifest: ManifestEntry[]): string {
  return createHash("sha256").update(manifestText(manifest)).digest("hex");
}

function byPath(a: ManifestEntry, b: ManifestEntry): number {
  return Buffer.compare(Buffer.from(a.path), Buffer.from(b.path));
}

/** What a stage may leave in its output: anything else is refused by name. */
function describeKind(stat: import("node:fs").Stats): string {
  if (stat.isFIFO()) return "a FIFO";
  if (stat.isSocket()) return "a socket";
  if (stat.isCharacterDevice()) return "a character device";
  if (stat.isBlockDevice()) return "a block device";
  return "not a regular file, directory or symlink";
}

/**
 * Normalises an output tree in place and returns its identity, in one walk: files become 0755 when
 * any exec bit is set, else 0644; directories 0755 (so no setuid, setgid or sticky bit, and no
 * umask of the guest, ever reaches the store). A FIFO, socket or device node fails the stage.
 */
export async function captureOutput(root: string): Promise<OutputIdentity> {
  const manifest: ManifestEntry[] = [];
  const walk = async (relative: string): Promise<void> => {
    for (const name of await fs.readdir(path.join(root, relative))) {
      const rel = relative ? `${relative}/${name}` : name;
      const full = path.join(root, rel);
      const stat = await fs.lstat(full);
      if (stat.isSymbolicLink()) {
        const target = await fs.readlink(full);
        manifest.push({ path: rel, type: "symlink", mode: "", size: Buffer.byteLength(target), sha256: "", target });
      } else if (stat.isDirectory()) {
        if ((stat.mode & 0o7777) !== 0o755) await fs.chmod(full, 0o755);
        manifest.push({ path: rel, type: "dir", mode: "0755", size: 0, sha256: "", target: "" });
        await walk(rel);
      } else if (stat.isFile()) {
        const mode = stat.mode & 0o111 ? 0o755 : 0o644;
        if ((stat.mode & 0o7777) !== mode) await fs.chmod(full, mode);
        manifest.push({ path: rel, type: "file", mode: mode.toString(8).padStart(4, "0"), size: stat.size, sha256: await sha256File(full), target: "" });
      } else {
        throw new ZilchError({
          code: "STAGE",
          message: `the output holds ${describeKind(stat)} at ${rel}: outputs may hold only regular files, directories and symlinks`,
          hint: "change the stage so it does not create it (nothing was stored)",
        });
      }
    }
  };
  await walk("");
  manifest.sort(byPath);
  const files = manifest.filter((e) => e.type !== "dir");
  return { sha256: manifestSha256(manifest), manifest, bytes: files.reduce((sum, e) => sum + (e.type === "file" ? e.size : 0), 0), files: files.length };
}

export interface ManifestDiff {
  added: string[];
  removed: string[];
  /** Path and what differs ("content", "mode 0644 → 0755", "type file → symlink", "target"). */
  changed: Array<{ path: string; what: string }>;
}

/** What `actual` has that `expected` has not, and the other way round. */
export function diffManifests(expected: ManifestEntry[], actual: ManifestEntry[]): ManifestDiff {
  const before = new Map(expected.map((e) => [e.path, e]));
  const after = new Map(actual.map((e) => [e.path, e]));
  const diff: ManifestDiff = { added: [], removed: [], changed: [] };
  for (const [p, e] of after) {
    const old = before.get(p);
    if (!old) diff.added.push(p);
    else if (old.type !== e.type) diff.changed.push({ path: p, what: `type ${old.type} → ${e.type}` });
    else if (old.mode !== e.mode) diff.changed.push({ path: p, what: `mode ${old.mode} → ${e.mode}` });
    else if (old.sha256 !== e.sha256 || old.size !== e.size) diff.changed.push({ path: p, what: `content (${old.size} → ${e.size} bytes)` });
    else if (old.target !== e.target) diff.changed.push({ path: p, what: `target ${old.target} → ${e.target}` });
  }
  for (const p of before.keys()) if (!after.has(p)) diff.removed.push(p);
  return diff;
}

/** Lines for an error's details: at most `limit` paths per kind, then a count. */
export function describeManifestDiff(diff: ManifestDiff, limit = 20): string[] {
  const lines: string[] = [];
  const list = (label: string, items: string[]) => {
    if (items.length === 0) return;
    lines.push(`${label} (${items.length}):`);
    for (const item of items.slice(0, limit)) lines.push(`  ${item}`);
    if (items.length > limit) lines.push(`  … and ${items.length - limit} more`);
  };
  list("added", diff.added);
  list("removed", diff.removed);
  list("changed", diff.changed.map((c) => `${c.path}: ${c.what}`));
  return lines.length > 0 ? lines : ["no file differs (the manifests are equal)"];
}
