// A store entry kept as its canonical tar (`<entry>/out.tar`, ZILCHBOOT_STORE=archive): the
// output's identity read from the tar itself, and the one way such a tar enters a staging entry:
// written (or moved) under a temporary name, its manifest hash checked against the output identity
// the run or the cache record names, and only then renamed to out.tar. commitEntry then publishes
// the staging entry by one rename, so the store never shows a tar that was not checked.
import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { ZilchError } from "../errors.js";
import { readTarIndex } from "../vm/p9/tar-index.js";
import { writeCanonicalTar, type ContentReader } from "./canonical-tar.js";
import { describeManifestDiff, diffManifests, manifestSha256, type ManifestEntry, type OutputIdentity } from "./manifest.js";

export const ARCHIVE_NAME = "out.tar";
const CHUNK = 1 << 20;

/** The output identity of a tar, as captureOutput gives it for the same tree unpacked on Linux:
 *  files 0755 when any exec bit is set, else 0644; directories 0755. Hard links, devices and paths
 *  outside the tree are refused (readTarIndex). */
export async function archiveIdentity(file: string): Promise<OutputIdentity> {
  const manifest: ManifestEntry[] = [];
  const handle = await fs.open(file, "r");
  try {
    for (const member of await readTarIndex(file)) {
      if (member.type === "dir") manifest.push({ path: member.path, type: "dir", mode: "0755", size: 0, sha256: "", target: "" });
      else if (member.type === "symlink") manifest.push({ path: member.path, type: "symlink", mode: "", size: Buffer.byteLength(member.target), sha256: "", target: member.target });
      else manifest.push({ path: member.path, type: "file", mode: member.mode & 0o111 ? "0755" : "0644", size: Number(member.size), sha256: await sliceSha256(handle, member.offset, member.size), target: "" });
    }
  } finally {
    await handle.close();
  }
  manifest.sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
  const files = manifest.filter((e) => e.type !== "dir");
  return { sha256: manifestSha256(manifest), manifest, bytes: files.reduce((sum, e) => sum + e.size, 0), files: files.length };
}

async function sliceSha256(handle: fs.FileHandle, offset: bigint, size: bigint): Promise<string> {
  const hash = createHash("sha256");
  const buffer = new Uint8Array(CHUNK);
  for (let done = 0n; done < size;) {
    const want = Number(size - done < BigInt(CHUNK) ? size - done : BigInt(CHUNK));
    const { bytesRead } = await handle.read(buffer, 0, want, Number(offset + done));
    if (bytesRead === 0) throw new Error(`the archive ends inside a member (at byte ${offset + done})`);
    hash.update(buffer.subarray(0, bytesRead));
    done += BigInt(bytesRead);
  }
  return hash.digest("hex");
}

/** Writes `<staging>/out.tar` from the output's manifest and its bytes (`open`), then checks it. */
export async function writeEntryArchive(staging: string, output: OutputIdentity, open: (path: string) => Promise<ContentReader>): Promise<OutputIdentity> {
  return placeArchive(staging, output, (partial) => writeCanonicalTar(output.manifest, open, partial));
}

/** Moves an archive (a pulled blob) to `<staging>/out.tar` if its identity is `expected`; returns
 *  the identity read from it. Another identity throws `mismatch(found)` (a pull's refusal of the
 *  server's bytes), by default the error of a local writer's bug. */
export async function adoptArchive(
  staging: string,
  blob: string,
  expected: OutputIdentity | string,
  mismatch?: (found: string) => Error,
): Promise<OutputIdentity> {
  return placeArchive(staging, expected, (partial) => fs.rename(blob, partial), mismatch);
}

/** Puts the tar at a temporary name, checks it, renames it to out.tar; a tar that fails the check
 *  is deleted, so the staging entry holds out.tar only when it is the output named. */
async function placeArchive(
  staging: string,
  expected: OutputIdentity | string,
  put: (partial: string) => Promise<void>,
  mismatch?: (found: string) => Error,
): Promise<OutputIdentity> {
  await fs.mkdir(staging, { recursive: true });
  const partial = path.join(staging, `${ARCHIVE_NAME}.partial`);
  const final = path.join(staging, ARCHIVE_NAME);
  try {
    await put(partial);
    const found = await archiveIdentity(partial);
    const wanted = typeof expected === "string" ? expected : expected.sha256;
    if (found.sha256 !== wanted) {
      if (mismatch) throw mismatch(found.sha256);
      throw new ZilchError({
        code: "STORE",
        message: `the archive ${final} holds output ${found.sha256}, expected ${wanted}`,
        hint: "nothing was stored; this is a bug in the archive writer or a file changed while it was read: report it with the run's log",
        details: typeof expected === "string" ? [] : describeManifestDiff(diffManifests(expected.manifest, found.manifest)),
      });
    }
    await fs.rename(partial, final);
    return found;
  } catch (error) {
    await fs.rm(partial, { force: true });
    throw error;
  }
}
