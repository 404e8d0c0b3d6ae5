// Whether a record from the cache may be acted on, before a byte of its blob is fetched. The lock
// is the authority for the stages it lists; for the others only a signature by a key the
// repository lists counts. What the record claims about the blob is checked after the download
// (pull.ts): its bytes must hash to the key, and the unpacked tree's identity must equal `output`.
import type { CacheRecord } from "./cache-record.js";
import { checkSignature, type TrustedKey } from "./signing.js";

export type TrustVerdict = { trusted: string } | { untrusted: string };

export function judgeRecord(record: CacheRecord, want: { stage: string; inputHash: string; locked: string | null }, keys: TrustedKey[]): TrustVerdict {
  if (record.stage !== want.stage || record.inputHash !== want.inputHash) {
    return { untrusted: `it is the record of ${record.stage} with input ${record.inputHash.slice(0, 16)}, not of this stage and input hash` };
  }
  if (want.locked !== null) {
    return record.output === want.locked
      ? { trusted: "its output is the locked one" }
      : { untrusted: `it names output ${record.output.slice(0, 16)}… but recipes/lock.json expects ${want.locked.slice(0, 16)}…` };
  }
  const signature = checkSignature(record, keys);
  if ("invalid" in signature) return { untrusted: `the stage is not in recipes/lock.json and ${signature.invalid}` };
  return { trusted: `signed by ${signature.signedBy}` };
}
