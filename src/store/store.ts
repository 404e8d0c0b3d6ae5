// The store: one directory per built stage, named by stage and input hash. A stage is built in a
// run directory and renamed into store/ with its fsynced record.json only when it succeeded, so
// an interrupted or failed build never leaves a half-written entry. Builds hold the entry's lock
// (entry-lock.ts) from the cache check to the commit, so one entry is built by one process. An
// entry holds its output as out/ (a directory) or out.tar (its canonical tar; store-mode.ts).
import fs from "node:fs/promises";
import path from "node:path";
import type { ManifestEntry } from "./manifest.js";
import type { SourceUse } from "../sources/pins.js";
import { ZilchError } from "../errors.js";
import { ARCHIVE_NAME } from "./archive-entry.js";
import { fsyncDir, writeAtomic } from "./atomic-file.js";
import { publishDir } from "./publish.js";
import { quarantineEntry, readRecordState } from "./record.js";

export interface BuildRecord {
  stage: string;
  inputHash: string;
  inputs: unknown;
  outputSha256: string;
  outputBytes: number;
  outputFiles: number;
  engine: string;
  /** The guest's vCPUs (the native runner's job count); absent in older records. */
  cpus?: number;
  kernel: unknown;
  /** null for stages that do not see the seed. */
  seedSha256: string | null;
  wallMs: number;
  initOutputMs: number | null;
  builtAt: string;
  /** Which file each source came from, by pin name (its own file, or an alternative with the tree
   *  it was checked by); absent when no run record kept it (older entries, pulled ones). */
  sourceFiles?: Record<string, SourceUse>;
  /** The output's canonical manifest (src/store/manifest.ts), whose sha256 is outputSha256. */
  manifest?: ManifestEntry[];
  /** Set when the entry came from a shared cache (src/cache/pull.ts) rather than a build here:
   *  where from, why it was trusted, and what the pusher said about its build (not verified). */
  pulled?: { from: string; why: string; builtBy: string | null; buildMs: number | null; builtAt: string | null };
}

export interface StoreEntry {
  dir: string;
  /** `<dir>/out`: the output as a directory; absent when the entry is an archive. */
  outDir: string;
  /** `<dir>/out.tar` when the entry keeps its output as its canonical tar, else null. */
  archive: string | null;
  record: BuildRecord;
}

export function storeRoot(workDir: string): string {
  return path.join(workDir, "store");
}

export function entryName(stage: string, inputHash: string): string {
  return `${stage}-${inputHash.slice(0, 16)}`;
}

async function entryAt(dir: string, record: BuildRecord): Promise<StoreEntry> {
  const archive = path.join(dir, ARCHIVE_NAME);
  const isArchive = await fs.stat(archive).then((st) => st.isFile(), () => false);
  return { dir, outDir: path.join(dir, "out"), archive: isArchive ? archive : null, record };
}

/** Whether a staging entry and a stored one keep the output the same way (tree or archive). */
async function sameLayout(staging: string, dir: string): Promise<boolean> {
  const has = (d: string) => fs.stat(path.join(d, ARCHIVE_NAME)).then(() => true, () => false);
  return (await has(staging)) === (await has(dir));
}

/** The entry for these inputs, or null. A damaged entry is moved aside (with a warning) and is a miss. */
export async function findEntry(workDir: string, stage: string, inputHash: string, log?: (line: string) => void): Promise<StoreEntry | null> {
  const dir = path.join(storeRoot(workDir), entryName(stage, inputHash));
  const state = await readRecordState(dir);
  if (state.kind === "corrupt") await quarantineEntry(dir, state.why, log);
  return state.kind === "ok" && state.record.inputHash === inputHash ? await entryAt(dir, state.record) : null;
}

/**
 * Moves a finished staging dir (holding out/ or out.tar) into the store with `record`; call it
 * holding the entry's lock (claimEntry). An existing entry with the same output keeps its files
 * (nothing is deleted under a reader); `replace` (a forced rebuild) then renews only its record,
 * unless the rebuild keeps the output the other way (tree or archive): that, like a different
 * output, replaces the entry only with `replace` (moved aside first, so the store never shows a
 * half-deleted entry); a different output without it fails the build naming both hashes.
 */
export async function commitEntry(workDir: string, staging: string, record: BuildRecord, replace = false, log?: (line: string) => void): Promise<StoreEntry> {
  const dir = path.join(storeRoot(workDir), entryName(record.stage, record.inputHash));
  const recordText = JSON.stringify(record, null, 2) + "\n";
  // The record must be on disk before the rename makes the entry visible: a crash must not
  // leave a complete-looking entry with a torn record.
  await writeAtomic(path.join(staging, "record.json"), recordText);
  await fsyncDir(staging);
  let aside: string | null = null;
  for (let attempt = 0; attempt < 3; attempt++) {
    const existing = await readRecordState(dir);
    if (existing.kind === "corrupt") await quarantineEntry(dir, existing.why, log);
    if (existing.kind === "ok") {
      if (existing.record.outputSha256 === record.outputSha256 && (!replace || (await sameLayout(staging, dir)))) {
        if (replace) await writeAtomic(path.join(dir, "record.json"), recordText);
        await fs.rm(staging, { recursive: true, force: true });
        return await entryAt(dir, replace ? record : existing.record);
      }
      if (!replace) {
        await fs.rm(staging, { recursive: true, force: true });
        throw differentOutput(dir, existing.record.outputSha256, record.outputSha256);
      }
      aside = path.join(storeRoot(workDir), ".replaced", `${path.basename(dir)}-${process.pid}-${Date.now()}`);
      await fs.mkdir(path.dirname(aside), { recursive: true });
      await fs.rename(dir, aside);
    }
    // A lost race (possible only against a writer without the entry lock) loops to judge the winner.
    if ((await publishDir(staging, dir, { keepLoser: true })) === "published") {
      if (aside) await fs.rm(aside, { recursive: true, force: true });
      return await entryAt(dir, record);
    }
  }
  throw new ZilchError({ code: "STORE", message: `cannot commit ${dir}: another process keeps replacing it`, hint: "stop the other zilchboot process writing this store and rerun" });
}

function differentOutput(dir: string, stored: string, ours: string): ZilchError {
  return new ZilchError({
    code: "STORE",
    message: `store entry ${dir} holds output ${stored} but this build of the same inputs produced ${ours}`,
    hint: "the stage is not reproducible: keep both (rerun with --keep) and compare them; --force replaces the stored one",
  });
}

export async function listEntries(workDir: string): Promise<StoreEntry[]> {
  const names = await fs.readdir(storeRoot(workDir)).catch(() => [] as string[]);
  const entries: StoreEntry[] = [];
  // Dot-names are the store's own bookkeeping (.locks, .corrupt, .replaced).
  for (const name of names.filter((n) => !n.startsWith(".")).sort()) {
    const dir = path.join(storeRoot(workDir), name);
    const state = await readRecordState(dir);
    if (state.kind === "ok") entries.push(await entryAt(dir, state.record));
  }
  return entries;
}
