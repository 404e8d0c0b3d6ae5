// Cross-process locks (proper-lockfile: an atomic mkdir of `<target>.lock`, kept fresh while held)
// for what several zilchboot processes share: store entries, run directories, recipes/lock.json,
// and pinned downloads. A holder that dies leaves a lock that goes stale after STALE_MS; a clean
// exit (or SIGINT/SIGTERM) removes it at once.
import fs from "node:fs/promises";
import path from "node:path";
import lockfile from "proper-lockfile";

/** A lock not refreshed for this long belongs to a dead process. Generous: a loaded 2-core host
 *  can delay the refresh timer by seconds, and a lock taken over early lets two builds race. */
export const STALE_MS = 30_000;
const UPDATE_MS = 5_000;

export type Release = () => Promise<void>;

export interface LockOptions {
  /** What the lock guards, for the "waiting" and "lost" lines, e.g. "store entry 1-stage1-ab12…". */
  what: string;
  log?: (line: string) => void;
  /** false: give up at once (resolve null) when another process holds it. Default true: wait. */
  wait?: boolean;
}

function lockOptions(opts: LockOptions, retries: lockfile.LockOptions["retries"]): lockfile.LockOptions {
  return {
    stale: STALE_MS,
    update: UPDATE_MS,
    realpath: false,
    retries,
    // The default throws from a timer and kills the process. Losing a lock only reopens the race
    // the lock avoids, and every locked section still checks its result (e.g. commitEntry compares
    // output hashes), so a warning is the right size.
    onCompromised: (error) => opts.log?.(`warning: lost the lock on ${opts.what} (${error.message}); another process may use it too`),
  };
}

/** Locks `target` (which need not exist), waiting for another holder unless `wait` is false. */
export async function acquireLock(target: string, opts: LockOptions & { wait: false }): Promise<Release | null>;
export async function acquireLock(target: string, opts: LockOptions): Promise<Release>;
export async function acquireLock(target: string, opts: LockOptions): Promise<Release | null> {
  await fs.mkdir(path.dirname(target), { recursive: true });
  try {
    return tolerant(await lockfile.lock(target, lockOptions(opts, 0)));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ELOCKED") throw error;
    if (opts.wait === false) return null;
  }
  opts.log?.(`waiting for another zilchboot process that holds ${opts.what}`);
  return tolerant(await lockfile.lock(target, lockOptions(opts, { forever: true, minTimeout: 100, maxTimeout: 1000, factor: 1.5 })));
}

/** A lock that was already lost (reported by onCompromised) or released has nothing to release. */
function tolerant(release: Release): Release {
  return async () => {
    try {
      await release();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== "ERELEASED" && code !== "ENOTACQUIRED" && code !== "ECOMPROMISED") throw error;
    }
  };
}

/** Runs `fn` holding the lock on `target`. */
export async function withLock<T>(target: string, opts: LockOptions, fn: () => Promise<T>): Promise<T> {
  const release = await acquireLock(target, opts);
  try {
    return await fn();
  } finally {
    await release();
  }
}

/** Whether a live process holds `target`'s lock (a stale lock does not count). */
export async function isLocked(target: string): Promise<boolean> {
  return lockfile.check(target, { stale: STALE_MS, realpath: false });
}

/** The directory proper-lockfile creates for `target`. */
export function lockPathOf(target: string): string {
  return `${target}.lock`;
}
