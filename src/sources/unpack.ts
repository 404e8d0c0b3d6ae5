// Unpacks a verified source tarball in-process (node-tar, plus a JS bzip2 decoder): the chain must
// not depend on the host's tar. Unpacked trees are cached by tarball hash and strip depth, and
// appear under their final name only when complete.
import { randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import fs from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import type { Duplex } from "node:stream";
import { pipeline } from "node:stream/promises";
import * as tar from "tar";
import { ZilchError } from "../errors.js";
import { publishDir } from "../store/publish.js";

// unbzip2-stream is CommonJS without type definitions.
const unbzip2 = createRequire(import.meta.url)("unbzip2-stream") as () => Duplex;

/** Whether unpackTarball below takes `file` (what a stage's "unpackAs" needs); .xz is unpacked in the guest. */
export function unpacksOnHost(file: string): boolean {
  return /\.(tar\.bz2|tbz2?|tar\.gz|tgz|tar)$/.test(file);
}

/** Unpacks .tar.gz/.tgz/.tar.bz2/.tar into `dir` (which must exist), dropping `strip` leading path parts. */
export async function unpackTarball(tarball: string, dir: string, strip = 0): Promise<void> {
  const extract = tar.x({ cwd: dir, strict: true, strip, preserveOwner: false });
  try {
    if (/\.(tar\.bz2|tbz2?)$/.test(tarball)) await pipeline(createReadStream(tarball), unbzip2(), extract);
    else if (/\.(tar\.gz|tgz|tar)$/.test(tarball)) await pipeline(createReadStream(tarball), extract);
    else throw new Error("unsupported compression (the host side unpacks .tar, .tar.gz and .tar.bz2; unpack .xz in the guest)");
  } catch (error) {
    throw new ZilchError({
      code: "FETCH",
      message: `cannot unpack ${path.basename(tarball)}: ${(error as Error).message}`,
      // The tarball matched its pin's sha256, so fetching it again brings the same bytes.
      hint: "the pinned file itself cannot be unpacked here: check the pin's file and compression (.tar, .tar.gz, .tar.bz2), or unpack it in the guest",
      cause: error,
    });
  }
}

/** A cached unpacked copy of a verified tarball: `<cacheDir>/unpacked/<sha256>-s<strip>/`. */
export async function unpackedTree(cacheDir: string, tarball: string, sha256: string, strip: number): Promise<string> {
  const final = path.join(cacheDir, "unpacked", `${sha256}-s${strip}`);
  // The rename below is atomic, so an existing directory is a complete one.
  if (await fs.stat(final).then(() => true, () => false)) return final;
  const staging = `${final}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  await fs.mkdir(staging, { recursive: true });
  try {
    await unpackTarball(tarball, staging, strip);
  } catch (error) {
    await fs.rm(staging, { recursive: true, force: true });
    throw error;
  }
  // Losing to a concurrent unpack of the same tarball is fine: same hash, same tree.
  await publishDir(staging, final);
  return final;
}
