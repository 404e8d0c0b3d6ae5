// Publishing a finished directory under its final name, once: a rename is atomic, so a reader sees
// no directory or a complete one. When another process published the same name first, ours is
// dropped and the caller decides whether the winner is acceptable (content-keyed caches: always;
// the store: only with the same output hash).
import fs from "node:fs/promises";
import path from "node:path";
import { fsyncDir } from "./atomic-file.js";

export type PublishResult = "published" | "lost";

/** Renames `staging` to `target` unless `target` exists; a lost race deletes `staging` unless
 *  `keepLoser` (the caller may still want it). */
export async function publishDir(staging: string, target: string, opts: { keepLoser?: boolean } = {}): Promise<PublishResult> {
  await fs.mkdir(path.dirname(target), { recursive: true });
  try {
    await fs.rename(staging, target);
  } catch (error) {
    if (!(await lostRace(error, target))) throw error;
    if (!opts.keepLoser) await fs.rm(staging, { recursive: true, force: true });
    return "lost";
  }
  await fsyncDir(path.dirname(target));
  return "published";
}

/** rename(2) onto a non-empty directory fails with ENOTEMPTY or EEXIST (EPERM on Windows). */
async function lostRace(error: unknown, target: string): Promise<boolean> {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOTEMPTY" || code === "EEXIST") return true;
  return code === "EPERM" && (await fs.stat(target).then(() => true, () => false));
}
