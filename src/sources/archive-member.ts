// Pulls one file out of a verified tar archive into a new file, hashing it on the way, so a pin
// whose file exists only inside another archive (GCC 10's dfsg tarball inside Debian's
// orig.tar.xz) needs no second read before its hash is known.
//
// Decompression: tar-stream.ts (.tar.xz through the host's `xz -dc`). The archive's bytes are
// verified before xz reads them and the member's bytes after, so a faulty xz can only fail a
// fetch, never let other bytes in.
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import * as tar from "tar";
import { lastLine, ProviderFailure } from "./providers/provider.js";
import { tarStream } from "./tar-stream.js";

export interface ExtractedMember {
  sha256: string;
  size: number;
}

/** Tar paths as archivers write them ("./a/b", "a/b", "a/" for a directory) compared as the pin writes them ("a/b"). */
function normalize(entryPath: string): string {
  return entryPath.replace(/^(\.\/)+/, "").replace(/\/+$/, "");
}

/**
 * Writes `member` of `archive` to `into` (created; the caller removes it on failure) and returns
 * its sha256 and size. A missing member, or one that is not a regular file, is a ProviderFailure.
 */
export async function extractArchiveMember(archive: string, archiveName: string, member: string, into: string): Promise<ExtractedMember> {
  const { stream, child } = await tarStream(archive, archiveName);
  let copy: { tap: Transform; done: Promise<ExtractedMember> } | undefined;
  let problem: string | undefined;
  const parser = new tar.Parser({
    strict: true,
    filter: (entryPath) => normalize(entryPath) === member,
    onReadEntry: (entry) => {
      // Tar allows a path twice (extraction keeps the last); the first regular file is taken
      // here, and its hash decides anyway.
      if (copy) {
        entry.resume();
      } else if (entry.type === "File" || entry.type === "OldFile" || entry.type === "ContiguousFile") {
        copy = copyHashing(entry, into);
      } else {
        problem ??= `${member} in ${archiveName} is a ${entry.type}, not a regular file`;
        entry.resume();
      }
    },
  });
  try {
    await pipeline(stream, parser);
    await child;
    if (copy) return await copy.done;
  } catch (error) {
    child?.kill();
    // An entry cut short never ends: close its file so the caller can remove it.
    copy?.tap.destroy();
    const why = error instanceof Error ? (error as Error & { stderr?: string }).stderr || error.message : String(error);
    throw new ProviderFailure(`cannot read ${archiveName}: ${lastLine(why)}`, "the archive matched its pin: check that its name says its compression");
  }
  throw new ProviderFailure(problem ?? `${archiveName} has no ${member}`, "check insideArchive.member (`tar -tf` lists the archive)");
}

function copyHashing(entry: tar.ReadEntry, into: string): { tap: Transform; done: Promise<ExtractedMember> } {
  const hash = createHash("sha256");
  let size = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      size += chunk.length;
      callback(null, chunk);
    },
  });
  entry.pipe(tap);
  const done = pipeline(tap, createWriteStream(into, { flags: "wx" })).then(() => ({ sha256: hash.digest("hex"), size }));
  // Awaited only once the whole archive is read; until then a failure must not count as unhandled.
  done.catch(() => {});
  return { tap, done };
}
