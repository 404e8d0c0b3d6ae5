// A stage from the cache into the store, by the path a local build takes: under the entry's lock,
// in a fresh run directory, committed by one rename with its record. Nothing from the server
// reaches the store unchecked: the record must be trusted (trust.ts), the blob must hash to its
// key, and the unpacked tree's output identity must equal the record's (and so the lock's or the
// signed one). An archive store (store-mode.ts) keeps the blob itself as the entry's out.tar once
// the identity read from it passes the same check. Any failure is a warning line and the caller
// builds the stage instead.
import fs from "node:fs/promises";
import path from "node:path";
import { claimEntry } from "../store/entry-lock.js";
import { adoptArchive } from "../store/archive-entry.js";
import { captureOutput, type OutputIdentity } from "../store/manifest.js";
import { resolveStore } from "../store/store-mode.js";
import { commitEntry, type BuildRecord, type StoreEntry } from "../store/store.js";
import { casPath } from "./cache-record.js";
import { CacheOversize } from "./http-client.js";
import type { PullRequest, StageCache } from "./stage-cache.js";

/** Why a pulled blob was refused: a warning, then the stage is built. */
class Refused extends Error {}

export async function pullIntoStore(cache: StageCache, request: PullRequest): Promise<StoreEntry | null> {
  const { stage, inputHash, home } = request;
  const started = performance.now();
  let found;
  try {
    found = await cache.trustedRecord(stage, inputHash, request.locked);
  } catch (error) {
    cache.failed(stage, "read its cache record", error);
    return null;
  }
  if (found === null) {
    cache.note(stage, "not in the cache");
    return null;
  }
  if ("ignored" in found) {
    cache.note(stage, `ignored: ${found.ignored}`);
    cache.warn(`${stage}: ignoring the cache's entry (${found.ignored}); building it`);
    return null;
  }
  const { record } = found;
  // The same claim a build takes: a second process pulling or building this entry waits, then
  // finds it in the store.
  const claim = await claimEntry(home, stage, inputHash);
  if (claim.cached) return claim.cached;
  try {
    const blob = path.join(claim.runDir, "archive.tar");
    const got = await cache.http.download(casPath(record.archive.sha256), blob, record.archive.size, `${stage} (cache)`);
    if (got === null) throw new Refused(`its record names cas/${record.archive.sha256.slice(0, 16)}…, which the cache does not hold (evicted?)`);
    if (got.sha256 !== record.archive.sha256) throw new Refused(`the cache served other bytes for cas/${record.archive.sha256.slice(0, 16)}… (they hash to ${got.sha256.slice(0, 16)}…)`);
    if (got.size !== record.archive.size) throw new Refused(`cas/${record.archive.sha256.slice(0, 16)}… has ${got.size} bytes, its record says ${record.archive.size}`);
    const staging = path.join(claim.runDir, "entry");
    const output = resolveStore(request.store) === "archive" ? await adopted(staging, blob, record.output) : await unpacked(staging, blob, record.output);
    const pullMs = Math.round(performance.now() - started);
    const stored: BuildRecord = {
      stage,
      inputHash,
      inputs: request.inputs,
      outputSha256: output.sha256,
      outputBytes: output.bytes,
      outputFiles: output.files,
      engine: "cache",
      kernel: null,
      seedSha256: request.inputs.seedSha256,
      wallMs: pullMs,
      initOutputMs: null,
      builtAt: new Date().toISOString(),
      manifest: output.manifest,
      pulled: { from: cache.label, why: found.why, builtBy: record.engine ?? null, buildMs: record.wallMs ?? null, builtAt: record.builtAt ?? null },
    };
    const entry = await commitEntry(home, staging, stored);
    cache.note(stage, "pulled");
    return entry;
  } catch (error) {
    if (error instanceof Refused || error instanceof CacheOversize) {
      cache.note(stage, `ignored: ${error.message}`);
      cache.warn(`${stage}: ignoring the cache's entry (${error.message}); building it`);
    }
    else cache.failed(stage, "pull it", error);
    return null;
  } finally {
    // A leftover in runs/ is gc's to sweep; it must never turn a fallback into a failed build.
    await fs.rm(claim.runDir, { recursive: true, force: true, maxRetries: 5 }).catch((error: Error) => cache.warn(`${stage}: could not remove ${claim.runDir} (${error.message})`));
    await claim.release();
  }
}

/** The blob unpacked to `<staging>/out`, with the identity of what was unpacked. */
async function unpacked(staging: string, blob: string, expected: string): Promise<OutputIdentity> {
  const outDir = path.join(staging, "out");
  await (await import("./output-archive.js")).unpackOutput(blob, outDir).catch((error: Error) => {
    throw new Refused(error.message);
  });
  await fs.rm(blob);
  const output = await captureOutput(outDir).catch((error: Error) => {
    throw new Refused(error.message);
  });
  if (output.sha256 !== expected) throw notTheRecords(output.sha256, expected, "unpacked");
  return output;
}

/** The refusal of a blob whose output is not the one its record names (a consistent lie about
 *  which blob holds the output), the same words whether it was unpacked or kept as the archive. */
function notTheRecords(found: string, expected: string, how: "unpacked" | "archived"): Refused {
  return new Refused(`the ${how} output's identity is ${found.slice(0, 16)}…, its record says ${expected.slice(0, 16)}…`);
}

/** The blob itself as `<staging>/out.tar`, once the identity read from it is the record's. */
async function adopted(staging: string, blob: string, expected: string): Promise<OutputIdentity> {
  return adoptArchive(staging, blob, expected, (found) => notTheRecords(found, expected, "archived")).catch((error: Error) => {
    throw error instanceof Refused ? error : new Refused(error.message);
  });
}
