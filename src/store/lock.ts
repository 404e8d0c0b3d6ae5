// recipes/lock.json: the expected output hash of every stage that has been proven reproducible.
// A build that disagrees fails; `--update-lock` is the explicit way to accept a new output.
import fs from "node:fs/promises";
import { ZilchError } from "../errors.js";

export interface LockFile {
  stages: Record<string, { output: string }>;
}

export async function readLock(file: string): Promise<LockFile> {
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch {
    return { stages: {} };
  }
  try {
    const lock = JSON.parse(text) as LockFile;
    if (typeof lock.stages !== "object" || lock.stages === null) throw new Error('no "stages" object');
    return lock;
  } catch (cause) {
    throw new ZilchError({ code: "STORE", message: `${file} is not a valid lock file (${(cause as Error).message})`, hint: "restore it from git", cause });
  }
}

export type LockVerdict = { kind: "match" } | { kind: "new" } | { kind: "mismatch"; expected: string };

export function checkLock(lock: LockFile, stage: string, output: string): LockVerdict {
  const expected = lock.stages[stage]?.output;
  if (expected === undefined) return { kind: "new" };
  return expected === output ? { kind: "match" } : { kind: "mismatch", expected };
}

/** Records `output` for `stage`, keeping entries sorted so diffs stay small. */
export async function recordInLock(file: string, stage: string, output: string): Promise<void> {
  const lock = await readLock(file);
  lock.stages[stage] = { output };
  const sorted = Object.fromEntries(Object.entries(lock.stages).sort(([a], [b]) => (a < b ? -1 : 1)));
  const temp = `${file}.tmp-${process.pid}`;
  await fs.writeFile(temp, JSON.stringify({ stages: sorted }, null, 2) + "\n");
  await fs.rename(temp, file);
}
