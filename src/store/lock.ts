// recipes/lock.json: the expected output hash of every stage that has been proven reproducible.
// A build that disagrees fails; `--update-lock` is the explicit way to accept a new output.
// Several builds may record stages at once, so every change is a read-modify-write under a
// cross-process lock, written atomically.
import fs from "node:fs/promises";
import { ZilchError } from "../errors.js";
import { writeAtomic } from "./atomic-file.js";
import { withLock } from "./file-lock.js";

export interface LockFile {
  stages: Record<string, { output: string }>;
}

/** A missing file is an empty lock; any other read error (EACCES, EIO, EISDIR…) is an error: taking
 *  it for "empty" would make every stage look new and the next record would drop the others. */
export async function readLock(file: string): Promise<LockFile> {
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return { stages: {} };
    throw new ZilchError({ code: "STORE", message: `cannot read ${file} (${code ?? (cause as Error).message})`, hint: "fix its permissions or restore it from git", cause });
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

/**
 * Records `output` for `stage`, keeping entries sorted so diffs stay small. `replacing` makes it a
 * compare-and-set: the stage's current output must be that value (null: the stage must be new),
 * so two processes that both saw a new stage cannot silently overwrite each other's output.
 * Recording the output already there is a no-op.
 */
export async function recordInLock(file: string, stage: string, output: string, replacing?: string | null, log?: (line: string) => void): Promise<void> {
  await withLock(file, { what: file, log }, async () => {
    const lock = await readLock(file);
    const current = lock.stages[stage]?.output;
    if (current === output) return;
    if (replacing !== undefined && current !== (replacing ?? undefined)) {
      throw new ZilchError({
        code: "STORE",
        message: `another process recorded output ${current} for stage ${stage} in ${file} while this build produced ${output}`,
        hint: "the stage is not reproducible or its inputs changed: compare both builds, then rerun with --update-lock to accept this one",
      });
    }
    lock.stages[stage] = { output };
    const sorted = Object.fromEntries(Object.entries(lock.stages).sort(([a], [b]) => (a < b ? -1 : 1)));
    await writeAtomic(file, JSON.stringify({ stages: sorted }, null, 2) + "\n");
  });
}
