// The store: one directory per built stage, named by stage and input hash, written atomically.
// A stage is built in a staging directory under runs/ and renamed into store/ only when it
// succeeded, so an interrupted or failed build never leaves a half-written entry.
import fs from "node:fs/promises";
import path from "node:path";

export interface BuildRecord {
  stage: string;
  inputHash: string;
  inputs: unknown;
  outputSha256: string;
  outputBytes: number;
  outputFiles: number;
  guestStatus: number;
  engine: string;
  kernel: unknown;
  /** null for stages that do not see the seed. */
  seedSha256: string | null;
  wallMs: number;
  initOutputMs: number | null;
  builtAt: string;
}

export interface StoreEntry {
  dir: string;
  outDir: string;
  record: BuildRecord;
}

export function storeRoot(workDir: string): string {
  return path.join(workDir, "store");
}

export function entryName(stage: string, inputHash: string): string {
  return `${stage}-${inputHash.slice(0, 16)}`;
}

export async function findEntry(workDir: string, stage: string, inputHash: string): Promise<StoreEntry | null> {
  const dir = path.join(storeRoot(workDir), entryName(stage, inputHash));
  const record = await readRecord(dir);
  return record && record.inputHash === inputHash ? { dir, outDir: path.join(dir, "out"), record } : null;
}

async function readRecord(dir: string): Promise<BuildRecord | null> {
  try {
    return JSON.parse(await fs.readFile(path.join(dir, "record.json"), "utf8")) as BuildRecord;
  } catch {
    return null;
  }
}

/** Moves a finished staging dir (holding out/ and record.json) into the store; `replace` swaps out
 *  an existing entry of the same inputs (a forced rebuild), which is first moved aside so the
 *  store never shows a half-deleted entry. */
export async function commitEntry(workDir: string, staging: string, record: BuildRecord, replace = false): Promise<StoreEntry> {
  await fs.writeFile(path.join(staging, "record.json"), JSON.stringify(record, null, 2) + "\n");
  const dir = path.join(storeRoot(workDir), entryName(record.stage, record.inputHash));
  await fs.mkdir(storeRoot(workDir), { recursive: true });
  if (replace) {
    const aside = `${staging}.replaced`;
    if (await fs.rename(dir, aside).then(() => true, () => false)) await fs.rm(aside, { recursive: true, force: true });
  }
  try {
    await fs.rename(staging, dir);
  } catch (error) {
    // Another build of the same inputs won the race: keep its entry, drop ours.
    if ((error as NodeJS.ErrnoException).code !== "ENOTEMPTY" && (error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    await fs.rm(staging, { recursive: true, force: true });
  }
  return { dir, outDir: path.join(dir, "out"), record: (await readRecord(dir)) ?? record };
}

export async function listEntries(workDir: string): Promise<StoreEntry[]> {
  const names = await fs.readdir(storeRoot(workDir)).catch(() => [] as string[]);
  const entries: StoreEntry[] = [];
  for (const name of names.sort()) {
    const dir = path.join(storeRoot(workDir), name);
    const record = await readRecord(dir);
    if (record) entries.push({ dir, outDir: path.join(dir, "out"), record });
  }
  return entries;
}
