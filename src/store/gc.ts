// `zilchboot gc`: removes store entries whose output recipes/lock.json does not name, the store's
// own leftovers (.corrupt, .replaced), and run directories no live process holds. An entry that a
// build or reader holds right now is skipped, never deleted under it; so is a live run.
import fs from "node:fs/promises";
import path from "node:path";
import { entryLockTarget } from "./entry-lock.js";
import { acquireLock } from "./file-lock.js";
import { readLock } from "./lock.js";
import { readRecordState } from "./record.js";
import { sweepRunDirs } from "./run-dir.js";
import { listEntries, storeRoot } from "./store.js";

export interface GcOptions {
  workDir: string;
  lockFile: string;
  log?: (line: string) => void;
  /** Report what would be removed, removing nothing (`gc --dry-run`). */
  dryRun?: boolean;
}

export interface GcReport {
  removedEntries: string[];
  /** Unlocked in the lock file but in use by another process right now. */
  busyEntries: string[];
  removedRuns: string[];
  busyRuns: string[];
  /** .corrupt and .replaced leftovers. */
  removedLeftovers: string[];
  /** Entries the lock names, left alone. */
  keptEntries: number;
}

export async function collectGarbage(opts: GcOptions): Promise<GcReport> {
  const lock = await readLock(opts.lockFile);
  const report: GcReport = { removedEntries: [], busyEntries: [], removedRuns: [], busyRuns: [], removedLeftovers: [], keptEntries: 0 };
  const entries = await listEntries(opts.workDir);
  report.keptEntries = entries.length;
  for (const entry of entries) {
    if (lock.stages[entry.record.stage]?.output === entry.record.outputSha256) continue;
    const release = await acquireLock(entryLockTarget(entry.dir), { what: `store entry ${path.basename(entry.dir)}`, log: opts.log, wait: false });
    if (!release) {
      report.busyEntries.push(entry.dir);
      continue;
    }
    try {
      if (opts.dryRun) {
        report.removedEntries.push(entry.dir);
        continue;
      }
      // Re-read under the lock: a forced rebuild may have just replaced it with a locked output.
      const now = await readRecordState(entry.dir);
      if (now.kind === "ok" && lock.stages[now.record.stage]?.output === now.record.outputSha256) continue;
      // Renamed away first, so the store never shows a half-deleted entry.
      const doomed = path.join(storeRoot(opts.workDir), ".replaced", `gc-${path.basename(entry.dir)}-${process.pid}`);
      await fs.mkdir(path.dirname(doomed), { recursive: true });
      await fs.rename(entry.dir, doomed);
      await fs.rm(doomed, { recursive: true, force: true });
      report.removedEntries.push(entry.dir);
    } finally {
      await release();
    }
  }
  for (const leftovers of [".corrupt", ".replaced"]) {
    const dir = path.join(storeRoot(opts.workDir), leftovers);
    for (const name of await fs.readdir(dir).catch(() => [] as string[])) {
      if (!opts.dryRun) await fs.rm(path.join(dir, name), { recursive: true, force: true });
      report.removedLeftovers.push(path.join(dir, name));
    }
  }
  const runs = await sweepRunDirs(opts.workDir, opts.dryRun);
  report.removedRuns = runs.removed;
  report.busyRuns = runs.skipped;
  report.keptEntries -= report.removedEntries.length + report.busyEntries.length;
  return report;
}
