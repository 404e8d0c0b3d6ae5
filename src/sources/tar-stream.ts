// A verified tar archive as a stream of plain tar bytes, whatever its compression: .tar.xz through
// the host's `xz -dc` (node-tar cannot decompress xz and no xz decoder is among our dependencies;
// xz-utils is a host requirement already), .tar.bz2 through the JS decoder unpack.ts uses, .tar.gz
// (node-tar gunzips it itself) and .tar as they are. The archive's name says its compression.
import { createReadStream } from "node:fs";
import { createRequire } from "node:module";
import type { Duplex, Readable } from "node:stream";
import { execa, type ResultPromise } from "execa";
import { onPath } from "./providers/apt.js";
import { ProviderFailure } from "./providers/provider.js";

// unbzip2-stream is CommonJS without type definitions.
const unbzip2 = createRequire(import.meta.url)("unbzip2-stream") as () => Duplex;

/** Whether tarStream reads `file` (by its name). */
export function isTarArchive(file: string): boolean {
  return /\.(tar|tar\.gz|tgz|tar\.bz2|tbz2?|tar\.xz|txz)$/.test(file);
}

/** The archive's tar stream; `child` (xz) must be awaited after the stream ends, and killed on failure. */
export async function tarStream(archive: string, archiveName: string): Promise<{ stream: Readable; child?: ResultPromise }> {
  if (/\.(tar\.xz|txz)$/.test(archiveName)) {
    if (!(await onPath("xz"))) throw new ProviderFailure("xz is not on PATH", "install xz-utils (scripts/setup-host.sh)");
    // stderr buffered for the error message; stdout streamed (archives run to ~100 MB).
    const child = execa("xz", ["-dc", "--", archive], { buffer: { stdout: false, stderr: true }, env: { LC_ALL: "C" } });
    return { stream: child.stdout, child };
  }
  if (/\.(tar\.bz2|tbz2?)$/.test(archiveName)) {
    const bz = unbzip2();
    createReadStream(archive).on("error", (error) => bz.destroy(error)).pipe(bz);
    return { stream: bz };
  }
  return { stream: createReadStream(archive) };
}
