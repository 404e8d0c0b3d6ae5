// ed25519 signatures on cache records with node:crypto, and the repository's keys file.
import assert from "node:assert/strict";
import { createPrivateKey } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { RECORD_FORMAT, type CacheRecord } from "../../src/cache/cache-record.js";
import { checkSignature, generateSigningKey, readSigningKey, readTrustedKeys, signRecord } from "../../src/cache/signing.js";
import { judgeRecord } from "../../src/cache/trust.js";
import { ZilchError } from "../../src/errors.js";
import { tempHome } from "../helpers/store-entries.js";

const record: CacheRecord = { format: RECORD_FORMAT, stage: "1-x", inputHash: "a".repeat(64), output: "b".repeat(64), archive: { sha256: "c".repeat(64), size: 10 } };

test("a record signed by a listed key verifies; any change to a trusted field breaks it, informational fields do not", async (t) => {
  const dir = await tempHome(t, "sign");
  const key = generateSigningKey();
  await fs.writeFile(path.join(dir, "cache-keys.json"), JSON.stringify({ $comment: "test", keys: [{ name: "ci", publicKey: key.publicKey }] }));
  const keys = await readTrustedKeys(path.join(dir, "cache-keys.json"));
  const signed = signRecord(record, createPrivateKey(key.pem));
  assert.deepEqual(checkSignature(signed, keys), { signedBy: "ci" });
  assert.deepEqual(checkSignature({ ...signed, engine: "anything", builtAt: "x" }, keys), { signedBy: "ci" });
  for (const changed of [{ output: "d".repeat(64) }, { inputHash: "d".repeat(64) }, { stage: "1-y" }, { archive: { ...record.archive, size: 11 } }]) {
    assert.match((checkSignature({ ...signed, ...changed }, keys) as { invalid: string }).invalid, /does not verify with key ci/);
  }
  assert.deepEqual(checkSignature(record, keys), { invalid: "it is not signed" });
  assert.match((checkSignature(signRecord(record, createPrivateKey(generateSigningKey().pem)), keys) as { invalid: string }).invalid, /is not in the repository's cache-keys\.json/);
  assert.deepEqual(await readTrustedKeys(path.join(dir, "absent.json")), [], "no keys file trusts no key");
});

test("the lock decides for locked stages, whatever the signature; unlocked stages need one", () => {
  const want = { stage: "1-x", inputHash: record.inputHash };
  assert.ok("trusted" in judgeRecord(record, { ...want, locked: record.output }, []));
  assert.match((judgeRecord(record, { ...want, locked: "e".repeat(64) }, []) as { untrusted: string }).untrusted, /names output bbbbbbbbbbbbbbbb… but recipes\/lock\.json expects eeeeeeeeeeeeeeee…/);
  assert.match((judgeRecord(record, { ...want, locked: null }, []) as { untrusted: string }).untrusted, /not in recipes\/lock\.json and it is not signed/);
  assert.match((judgeRecord(record, { stage: "1-y", inputHash: record.inputHash, locked: record.output }, []) as { untrusted: string }).untrusted, /it is the record of 1-x/);
});

test("a bad keys file or signing key is one clear error", async (t) => {
  const dir = await tempHome(t, "sign-bad");
  const file = path.join(dir, "cache-keys.json");
  await fs.writeFile(file, JSON.stringify({ keys: [{ name: "ci", publicKey: "ssh-ed25519 AAAA" }] }));
  await assert.rejects(readTrustedKeys(file), (e: unknown) => e instanceof ZilchError && /cache-keys\.json: keys\[0\] \(ci\): "publicKey" must be "ed25519:" and the base64 of a 32-byte public key/.test(e.message));
  await fs.writeFile(path.join(dir, "not.pem"), "hello\n");
  await assert.rejects(readSigningKey(path.join(dir, "not.pem")), /is not a PEM private key.*|cache-keygen/);
  await assert.rejects(readSigningKey(path.join(dir, "missing.pem")), (e: unknown) => e instanceof ZilchError && /cannot read the cache signing key .* \(ENOENT\); point ZILCHBOOT_CACHE_SIGNING_KEY/.test(e.line));
});
