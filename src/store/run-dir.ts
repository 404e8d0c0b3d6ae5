// Run directories (runs/<name>-<random>): a build's share and output while it runs. Each is locked
// before it is created and while in use, so `gc` can tell a live run from a leftover one.
import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { acquireLock, isLocked, lockPathOf, type Release } from "./file-lock.js";

export interface RunDir {
  dir: string;
  /** Unlocks it (the caller removes or keeps the directory first). */
  release: Release;
}

export function runsRoot(workDir: string): string {
  return path.join(workDir, "runs");
}

/** A fresh, locked `runs/<prefix>-<random>`. The lock comes first: gc never sees it unlocked. */
export async function createRunDir(workDir: string, prefix: string, log?: (line: string) => void): Promise<RunDir> {
  const dir = path.join(runsRoot(workDir), `${prefix}-${randomBytes(4).toString("hex")}`);
  const release = await acquireLock(dir, { what: `run directory ${dir}`, log });
  try {
    await fs.mkdir(dir, { recursive: true });
  } catch (error) {
    await release();
    throw error;
  }
  return { dir, release };
}

export interface RunSweep {
  removed: string[];
  /** In use by a live process. */
  skipped: string[];
}

/** Removes run directories no live process holds (finished, crashed or kept with --keep) and
 *  their stale locks; skips those in use. `dryRun`: only lists what it would remove. */
export async function sweepRunDirs(workDir: string, dryRun = false): Promise<RunSweep> {
  const root = runsRoot(workDir);
  const names = await fs.readdir(root).catch(() => [] as string[]);
  const sweep: RunSweep = { removed: [], skipped: [] };
  const runs = names.filter((name) => !name.endsWith(".lock"));
  for (const name of runs) {
    const dir = path.join(root, name);
    if (await isLocked(dir)) {
      sweep.skipped.push(dir);
      continue;
    }
    if (!dryRun) await fs.rm(dir, { recursive: true, force: true });
    sweep.removed.push(dir);
  }
  if (dryRun) return sweep;
  // Locks left by killed processes: only a stale one (isLocked false) may go, and only when
  // its run directory was not listed above (a fresh lock may be about to get its directory).
  for (const name of names.filter((n) => n.endsWith(".lock"))) {
    const dir = path.join(root, name.slice(0, -".lock".length));
    if (runs.includes(path.basename(dir)) && sweep.skipped.includes(dir)) continue;
    if (!(await isLocked(dir))) await fs.rm(lockPathOf(dir), { recursive: true, force: true });
  }
  return sweep;
}
