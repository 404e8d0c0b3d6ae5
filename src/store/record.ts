// A store entry's record.json: read strictly. An entry reaches the store only by a rename after its
// record was fsynced, so a record that does not parse is damage (a crash on a filesystem that
// reordered writes, a disk error, a hand edit): it is moved aside, never trusted or overwritten.
import fs from "node:fs/promises";
import path from "node:path";
import type { BuildRecord } from "./store.js";

export type RecordState =
  | { kind: "ok"; record: BuildRecord }
  | { kind: "absent" }
  | { kind: "corrupt"; why: string };

export async function readRecordState(dir: string): Promise<RecordState> {
  let text: string;
  try {
    text = await fs.readFile(path.join(dir, "record.json"), "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "ENOENT") return { kind: "corrupt", why: `unreadable record.json (${code ?? String(error)})` };
    // A directory in the store without its record was never published whole.
    const exists = await fs.stat(dir).then(() => true, () => false);
    return exists ? { kind: "corrupt", why: "no record.json" } : { kind: "absent" };
  }
  try {
    const record = JSON.parse(text) as BuildRecord;
    if (typeof record?.outputSha256 !== "string" || typeof record.inputHash !== "string") throw new Error("no outputSha256 or inputHash");
    return { kind: "ok", record };
  } catch (error) {
    return { kind: "corrupt", why: `torn record.json (${(error as Error).message})` };
  }
}

/** Moves a damaged entry to `<store>/.corrupt/<name>-<time>` (kept for inspection; gc removes it)
 *  and says so. Losing the rename to another process doing the same is fine. */
export async function quarantineEntry(dir: string, why: string, log: (line: string) => void = warn): Promise<string | null> {
  const aside = path.join(path.dirname(dir), ".corrupt", `${path.basename(dir)}-${new Date().toISOString().replace(/[:.]/g, "")}-${process.pid}`);
  await fs.mkdir(path.dirname(aside), { recursive: true });
  try {
    await fs.rename(dir, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  log(`warning: store entry ${path.basename(dir)} has a ${why}; moved it to ${aside} and will build it again`);
  return aside;
}

function warn(line: string): void {
  process.stderr.write(`zilchboot: ${line}\n`);
}
