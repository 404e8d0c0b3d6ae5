// A kit as a file: a gzipped tar (node-tar) holding kit.json first, then `<arch>/<name>` for each
// artefact file. Packing is deterministic (fixed order, mtime 0, no owners, modes 0644/0755), so
// two exports of the same lock on the same platform are the same bytes. Unpacking admits regular
// files at those paths only.
import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import * as tar from "tar";
import { ZilchError } from "../errors.js";
import { fsyncDir } from "../store/atomic-file.js";
import { sha256File } from "../sha256.js";

export const MANIFEST_NAME = "kit.json";

/** A kit member: `<arch>/<file name>`. */
const MEMBER = /^(x86_64|i386)\/[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Far above any kernel or seed: a member this big is not one, and is not written to disk. */
const MAX_MEMBER_BYTES = 256 * 1024 * 1024;

export interface KitMember {
  /** `<arch>/<name>` */
  name: string;
  from: string;
  executable: boolean;
}

/** Writes kit.json (`manifest`, as pretty JSON) and the members to `file` atomically. */
export async function packKit(file: string, manifest: unknown, members: KitMember[]): Promise<{ sha256: string; size: number }> {
  const staging = await fs.mkdtemp(path.join(os.tmpdir(), "zilchboot-kit-"));
  const partial = `${file}.tmp-${randomBytes(4).toString("hex")}`;
  try {
    await fs.writeFile(path.join(staging, MANIFEST_NAME), JSON.stringify(manifest, null, 2) + "\n");
    await fs.chmod(path.join(staging, MANIFEST_NAME), 0o644);
    for (const member of members) {
      if (!MEMBER.test(member.name)) throw new Error(`bad kit member name ${member.name}`);
      const to = path.join(staging, ...member.name.split("/"));
      await fs.mkdir(path.dirname(to), { recursive: true });
      await fs.copyFile(member.from, to);
      await fs.chmod(to, member.executable ? 0o755 : 0o644);
    }
    const names = members.map((m) => m.name).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    await tar.c({ file: partial, cwd: staging, gzip: { level: 9 }, portable: true, mtime: new Date(0), noDirRecurse: true, follow: false, strict: true }, [MANIFEST_NAME, ...names]);
    await fs.rename(partial, file);
    await fsyncDir(path.dirname(path.resolve(file)));
    return { sha256: await sha256File(file), size: (await fs.stat(file)).size };
  } finally {
    await fs.rm(staging, { recursive: true, force: true });
    await fs.rm(partial, { force: true });
  }
}

/** Unpacks a kit into `into` (an empty directory); returns its members' names (`<arch>/<name>`)
 *  and whether kit.json was there. Anything else in the archive is refused, not skipped. */
export async function unpackKit(file: string, into: string): Promise<{ members: string[]; manifest: boolean }> {
  const members: string[] = [];
  const refused: string[] = [];
  let manifest = false;
  try {
    await tar.x({
      file,
      cwd: into,
      strict: true,
      preservePaths: false,
      preserveOwner: false,
      noMtime: true,
      filter: (entryPath, entry) => {
        const type = "type" in entry ? entry.type : "File";
        const name = entryPath.replace(/^\.\//, "");
        if (type === "Directory" && /^(x86_64|i386)\/?$/.test(name)) return true;
        const isFile = type === "File" || type === "OldFile";
        if (isFile && (entry.size ?? 0) <= MAX_MEMBER_BYTES && (name === MANIFEST_NAME || MEMBER.test(name))) {
          if (name === MANIFEST_NAME) manifest = true;
          else members.push(name);
          return true;
        }
        refused.push(`${name} (${type}${isFile ? `, ${entry.size} bytes` : ""})`);
        return false;
      },
    });
  } catch (cause) {
    throw new ZilchError({
      code: "HASH_MISMATCH",
      message: `cannot read kit ${file}: ${(cause as Error).message}; nothing was installed`,
      hint: "it is not a zilchboot kit, or it is truncated: get it again (`zilchboot kit export FILE` on x86_64 Linux, or a release's kit)",
      cause,
    });
  }
  if (refused.length > 0) {
    throw new ZilchError({
      code: "HASH_MISMATCH",
      message: `kit ${file} holds what no kit may: ${refused.slice(0, 3).join(", ")}${refused.length > 3 ? ` and ${refused.length - 3} more` : ""}; nothing was installed`,
      hint: "a kit holds kit.json and <arch>/<file> regular files only: get it again",
    });
  }
  return { members: [...new Set(members)].sort(), manifest };
}
