// Build-path leak check: an output that mentions the guest's build or source directories would
// differ between build setups, and points at files that do not exist where it is used.
import fs from "node:fs/promises";
import path from "node:path";
import { listTree } from "./tree-hash.js";

export interface Leak {
  file: string;
  needle: string;
  offset: number;
}

/** Every regular file under `dir` that contains one of `needles`, with the first offset. */
export async function findLeaks(dir: string, needles: string[]): Promise<Leak[]> {
  const leaks: Leak[] = [];
  const patterns = needles.map((needle) => ({ needle, bytes: Buffer.from(needle) }));
  for (const entry of await listTree(dir)) {
    if (entry.kind !== "file") continue;
    const bytes = await fs.readFile(path.join(dir, entry.path));
    for (const { needle, bytes: pattern } of patterns) {
      const offset = bytes.indexOf(pattern);
      if (offset >= 0) leaks.push({ file: entry.path, needle, offset });
    }
  }
  return leaks;
}
