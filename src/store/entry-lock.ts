// Who may build, replace or read a store entry at a time. A build holds its entry's lock from the
// cache check to the commit, so a second build of the same inputs waits and then reuses the
// first's output. A reader (a stage linking its inputs into its share) holds the locks of the
// entries it reads while it links them, so a forced rebuild never replaces an entry under it.
import path from "node:path";
import { ZilchError } from "../errors.js";
import { acquireLock, type Release } from "./file-lock.js";
import { readRecordState } from "./record.js";
import { createRunDir } from "./run-dir.js";
import { entryName, findEntry, storeRoot, type StoreEntry } from "./store.js";

/** The lock target for the entry at `dir` (store/.locks/<name>); derived from the entry's own
 *  path, so a build whose workDir is a scratch store still locks the real entry it reads. */
export function entryLockTarget(dir: string): string {
  return path.join(path.dirname(dir), ".locks", path.basename(dir));
}

export type Claim =
  | { cached: StoreEntry }
  | { cached: null; runDir: string; release: Release };

export interface ClaimOptions {
  /** Build even if the entry exists (it is replaced only if the output differs). */
  force?: boolean;
  log?: (line: string) => void;
}

/**
 * The store's answer for (stage, inputHash): the cached entry, or the right to build it, with a
 * fresh locked run directory `runs/<entry>-<random>`. The holder must call release() when done
 * (after commitEntry, or after a failure), which unlocks the run directory and the entry.
 */
export async function claimEntry(workDir: string, stage: string, inputHash: string, opts: ClaimOptions = {}): Promise<Claim> {
  if (!opts.force) {
    const cached = await findEntry(workDir, stage, inputHash, opts.log);
    if (cached) return { cached };
  }
  const name = entryName(stage, inputHash);
  const unlockEntry = await acquireLock(entryLockTarget(path.join(storeRoot(workDir), name)), { what: `store entry ${name}`, log: opts.log });
  try {
    if (!opts.force) {
      // Another process may have built it while we waited.
      const cached = await findEntry(workDir, stage, inputHash, opts.log);
      if (cached) {
        await unlockEntry();
        return { cached };
      }
    }
    const run = await createRunDir(workDir, name, opts.log);
    return {
      cached: null,
      runDir: run.dir,
      release: async () => {
        await run.release();
        await unlockEntry();
      },
    };
  } catch (error) {
    await unlockEntry();
    throw error;
  }
}

/**
 * Runs `fn` (e.g. linking the entries into a share) holding the locks of `entries`, after checking
 * that each still holds the output its caller hashed: an entry a forced rebuild replaced in the
 * meantime fails loudly rather than handing over other bytes than the input hash names.
 */
export async function withEntriesPinned<T>(entries: StoreEntry[], fn: () => Promise<T>, log?: (line: string) => void): Promise<T> {
  // A fixed order: two processes pinning overlapping sets cannot deadlock.
  const sorted = [...new Map(entries.map((e) => [e.dir, e])).values()].sort((a, b) => (a.dir < b.dir ? -1 : 1));
  const releases: Release[] = [];
  try {
    for (const entry of sorted) {
      releases.push(await acquireLock(entryLockTarget(entry.dir), { what: `store entry ${path.basename(entry.dir)}`, log }));
      const now = await readRecordState(entry.dir);
      if (now.kind !== "ok" || now.record.outputSha256 !== entry.record.outputSha256) {
        const was = now.kind === "ok" ? `now holds output ${now.record.outputSha256}` : "is gone";
        throw new ZilchError({
          code: "STORE",
          message: `store entry ${entry.dir} changed while this build waited: it held output ${entry.record.outputSha256} and ${was}`,
          hint: "another process rebuilt it (--force) or collected it (gc); run this build again",
        });
      }
    }
    return await fn();
  } finally {
    for (const release of releases.reverse()) await release();
  }
}
