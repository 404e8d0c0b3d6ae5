// Bazel's HTTP cache layout as zilchboot uses it, and the record kept under ac/.
//   cas/<sha256>  the bytes whose sha256 that is: here, the deterministic tar of a stage's out/
//   ac/<key>      a small JSON record: stage, input hash, output identity, which cas/ blob
// The ac/ key mixes a protocol version into the stage and input hash, so a later record format
// never reads an older one's entries, and two tools sharing a cache cannot collide on keys.
import { createHash } from "node:crypto";
import { validateDocument } from "../schema/json-schema.js";

export const RECORD_FORMAT = "zilchboot-cache-record-1";
/** Records are small; anything larger is not one. */
export const MAX_RECORD_BYTES = 64 * 1024;

export interface CacheRecord {
  format: typeof RECORD_FORMAT;
  stage: string;
  inputHash: string;
  /** The output identity (manifest sha256), what recipes/lock.json holds. */
  output: string;
  archive: { sha256: string; size: number };
  outputBytes?: number;
  outputFiles?: number;
  /** How and when the pusher built it, for people and benchmarks; never trusted. */
  engine?: string;
  wallMs?: number;
  builtAt?: string;
  signature?: { keyId: string; ed25519: string };
}

export function acKey(stage: string, inputHash: string): string {
  return createHash("sha256").update(`${RECORD_FORMAT}\n${stage}\n${inputHash}\n`).digest("hex");
}

export function acPath(stage: string, inputHash: string): string {
  return `ac/${acKey(stage, inputHash)}`;
}

export function casPath(sha256: string): string {
  return `cas/${sha256}`;
}

/** The bytes a signature covers: every field trust depends on, one per line, in a fixed order.
 *  The informational fields (engine, times) are left out so they can never matter. */
export function signedText(record: Pick<CacheRecord, "stage" | "inputHash" | "output" | "archive">): Buffer {
  return Buffer.from(`${RECORD_FORMAT}\n${record.stage}\n${record.inputHash}\n${record.output}\n${record.archive.sha256}\n${record.archive.size}\n`);
}

/** The record's body as pushed: JSON, keys in a fixed order. */
export function recordBytes(record: CacheRecord): Buffer {
  return Buffer.from(JSON.stringify(record) + "\n");
}

/** Parses a body from the server: a schema-valid record, or the reason it is not one. */
export async function parseRecord(body: Buffer, origin: string): Promise<CacheRecord | { invalid: string }> {
  let doc: unknown;
  try {
    doc = JSON.parse(body.toString("utf8"));
  } catch (error) {
    return { invalid: `not JSON (${(error as Error).message})` };
  }
  try {
    return await validateDocument<CacheRecord>("cache-record", doc, origin);
  } catch (error) {
    return { invalid: (error as Error).message };
  }
}
