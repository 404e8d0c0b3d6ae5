// sha256 helpers shared by sources, seed, kernel and store. Files are streamed so
// multi-hundred-MB sources (the kernel) never sit in memory.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { pipeline } from "node:stream/promises";

/** Lowercase hex sha256 of the file's contents. */
export async function sha256File(file: string): Promise<string> {
  const hash = createHash("sha256");
  await pipeline(createReadStream(file), hash);
  return hash.digest("hex");
}

/** Lowercase hex sha256 of the parts, concatenated. */
export function sha256Hex(...parts: (string | Uint8Array)[]): string {
  const hash = createHash("sha256");
  for (const part of parts) hash.update(part);
  return hash.digest("hex");
}
