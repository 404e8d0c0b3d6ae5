// A store entry into the cache (with --cache-push): the blob first, then the record that points at
// it, so a reader never finds a record whose blob was not uploaded. Only outputs this machine
// trusts are offered: a locked stage's entry must hold the locked output. The record is signed
// when a signing key is configured; an unsigned record of an unlocked stage is ignored by readers
// until the lock lists its output. A failed push is a warning: the build already succeeded. An
// archive entry's out.tar is the blob as it is (the same canonical tar packOutput writes).
import fs from "node:fs/promises";
import path from "node:path";
import { createRunDir } from "../store/run-dir.js";
import { sha256File } from "../sha256.js";
import type { StoreEntry } from "../store/store.js";
import { acPath, casPath, RECORD_FORMAT, recordBytes, type CacheRecord } from "./cache-record.js";
import { signRecord } from "./signing.js";
import type { StageCache } from "./stage-cache.js";

export async function pushFromStore(cache: StageCache, entry: StoreEntry, locked: string | null, log: (line: string) => void): Promise<void> {
  const { stage, inputHash, outputSha256 } = entry.record;
  if (locked !== null && locked !== outputSha256) return;
  const home = path.dirname(path.dirname(entry.dir));
  let run;
  try {
    const existing = await cache.trustedRecord(stage, inputHash, locked);
    // A trusted record for this output whose blob is there needs nothing; anything else (none,
    // another output, unsigned where we sign, a blob evicted) is replaced.
    if (existing && "record" in existing && existing.record.output === outputSha256 && (await cache.http.has(casPath(existing.record.archive.sha256)))) return;
    const key = await cache.signing();
    let blob = entry.archive;
    let archive;
    if (blob === null) {
      run = await createRunDir(home, `push-${path.basename(entry.dir)}`);
      blob = path.join(run.dir, "archive.tar");
      archive = await (await import("./output-archive.js")).packOutput(entry.outDir, blob);
    } else {
      archive = { sha256: await sha256File(blob), size: (await fs.stat(blob)).size };
    }
    if (!(await cache.http.has(casPath(archive.sha256)))) await cache.http.put(casPath(archive.sha256), { file: blob }, `${stage} (push)`);
    const record: CacheRecord = {
      format: RECORD_FORMAT,
      stage,
      inputHash,
      output: outputSha256,
      archive,
      outputBytes: entry.record.outputBytes,
      outputFiles: entry.record.outputFiles,
      engine: entry.record.pulled?.builtBy ?? entry.record.engine,
      wallMs: entry.record.pulled?.buildMs ?? entry.record.wallMs,
      builtAt: entry.record.pulled?.builtAt ?? entry.record.builtAt,
    };
    const body = recordBytes(key ? signRecord(record, key) : record);
    await cache.http.put(acPath(stage, inputHash), { bytes: body, contentType: "application/json" }, `${stage} record`);
    const signed = key ? "signed" : locked !== null ? "locked output" : "unsigned: others use it once the lock lists its output";
    log(`${stage}: pushed to ${cache.label} (${(archive.size / 1e6).toFixed(1)} MB, ${signed})`);
    cache.note(stage, "pushed");
  } catch (error) {
    cache.failed(stage, "push it", error);
  } finally {
    if (run) {
      await fs.rm(run.dir, { recursive: true, force: true });
      await run.release();
    }
  }
}
