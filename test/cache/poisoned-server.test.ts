// A cache server that lies: nothing it serves reaches the store unless it checks out. Each lie
// costs one warning line and a local build; the store ends up with what a build would have made.
// Every case runs twice: readers keeping entries as trees, and as archives (pull.ts adopts the
// blob itself there, the default on Windows and macOS).
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { acPath, casPath, RECORD_FORMAT, recordBytes, type CacheRecord } from "../../src/cache/cache-record.js";
import { generateSigningKey } from "../../src/cache/signing.js";
import { buildTarget, planTarget } from "../../src/stages/chain.js";
import { readLock } from "../../src/store/lock.js";
import { listEntries } from "../../src/store/store.js";
import { tempRoot } from "../fixtures/fake-vm.js";
import { client, pushedPair, warnings, type Client } from "../helpers/cache-clients.js";
import type { NginxCache } from "../helpers/nginx.js";

async function put(nginx: NginxCache, rel: string, body: Buffer | string): Promise<void> {
  const res = await fetch(new URL(rel, nginx.url), { method: "PUT", body: typeof body === "string" ? body : new Uint8Array(body), headers: { authorization: `Basic ${Buffer.from(`${nginx.user}:${nginx.password}`).toString("base64")}` } });
  assert.ok(res.status === 201 || res.status === 204, `PUT ${rel}: ${res.status}`);
}

async function record(nginx: NginxCache, stage: string, inputHash: string): Promise<CacheRecord> {
  return JSON.parse(await fs.readFile(path.join(nginx.dataDir, acPath(stage, inputHash)), "utf8")) as CacheRecord;
}

function assertOneWarning(c: Client, pattern: RegExp): void {
  const lines = warnings(c.lines);
  assert.equal(lines.length, 1, c.lines.join("\n"));
  assert.match(lines[0], pattern);
}

// The readers' store: where a pull lands (the pushers keep the default).
for (const store of ["tree", "archive"] as const) {
  test(`a cache that serves other bytes for a CAS key is not believed: one warning, the stage is built (${store} store)`, async (t) => {
    const { nginx, root, recipes, runs, base } = await pushedPair(t, "cas");
    const { archive } = await record(nginx, "0-base", base.record.inputHash);
    await put(nginx, casPath(archive.sha256), "other bytes under the same key\n");
    const reader = await client(path.join(root, "reader"), { url: nginx.url, recipes, store, runs });
    await buildTarget(reader, "0-base");
    const top = await buildTarget(reader, "1-top");
    assert.deepEqual(reader.backend.booted(), ["0-base"], "the base is built; the top, whose inputs are then the same, is pulled");
    assertOneWarning(reader, /^warning: 0-base: ignoring the cache's entry \(the cache served other bytes for cas\/[0-9a-f]{16}… \(they hash to [0-9a-f]{16}…\)\); building it$/);
    assert.equal(top.record.engine, "cache");
    const entries = await listEntries(reader.home);
    assert.equal(entries[0].record.outputSha256, base.record.outputSha256);
    assert.deepEqual(await fs.readdir(path.join(reader.home, "runs")), [], "nothing half-written is left");

    // More bytes than the record names: the download stops there.
    await put(nginx, casPath(archive.sha256), Buffer.alloc(archive.size + 4096, 1));
    const second = await client(path.join(root, "second"), { url: nginx.url, recipes, store, runs });
    await buildTarget(second, "0-base");
    assert.deepEqual(second.backend.booted(), ["0-base"]);
    assertOneWarning(second, /^warning: 0-base: ignoring the cache's entry \(GET cas\/[0-9a-f]{64} sent more than the \d+ bytes its record names\); building it$/);
    assert.deepEqual(await fs.readdir(path.join(second.home, "runs")), []);
  });

  // The lies are about 0-base, which needs no input: an archive store's dependants need shares
  // served from the tar (--share-fs memory), which the fake backend does not serve.
  test(`an AC record that names another output for a locked stage is ignored before anything is downloaded (${store} store)`, async (t) => {
    const { nginx, root, recipes, runs, base, top } = await pushedPair(t, "ac");
    const honest = await record(nginx, "0-base", base.record.inputHash);
    const topRecord = await record(nginx, "1-top", top.record.inputHash);
    // A consistent lie: the top's real blob and output, filed under the base's key.
    await put(nginx, acPath("0-base", base.record.inputHash), recordBytes({ ...topRecord, stage: "0-base", inputHash: honest.inputHash }));
    const reader = await client(path.join(root, "reader"), { url: nginx.url, recipes, store, runs });
    await buildTarget(reader, "0-base");
    assert.deepEqual(reader.backend.booted(), ["0-base"]);
    assertOneWarning(reader, /^warning: 0-base: ignoring the cache's entry \(it names output [0-9a-f]{16}… but recipes\/lock\.json expects [0-9a-f]{16}…\); building it$/);
    assert.equal((await readLock(reader.lockFile)).stages["0-base"].output, base.record.outputSha256, "the lock is unchanged");

    // A record that claims the locked output but points at the top's blob: the blob hashes to its
    // key, so only the unpacked tree's identity (in an archive store: the tar's) gives it away.
    await put(nginx, acPath("0-base", base.record.inputHash), recordBytes({ ...honest, archive: topRecord.archive }));
    const second = await client(path.join(root, "second"), { url: nginx.url, recipes, store, runs });
    const built = await buildTarget(second, "0-base");
    assert.deepEqual(second.backend.booted(), ["0-base"]);
    const how = store === "tree" ? "unpacked" : "archived";
    assertOneWarning(second, new RegExp(`^warning: 0-base: ignoring the cache's entry \\(the ${how} output's identity is [0-9a-f]{16}…, its record says [0-9a-f]{16}…\\); building it$`));
    assert.equal(built.record.outputSha256, base.record.outputSha256);
    assert.deepEqual(await fs.readdir(path.join(second.home, "runs")), []);
  });

  test(`an unlocked stage's entry is used only with a valid signature from a key the repository lists (${store} store)`, async (t) => {
    const keyDir = await tempRoot("cache-keys");
    t.after(() => fs.rm(keyDir, { recursive: true, force: true }));
    const trusted = generateSigningKey();
    const stranger = generateSigningKey();
    await fs.writeFile(path.join(keyDir, "trusted.pem"), trusted.pem);
    await fs.writeFile(path.join(keyDir, "stranger.pem"), stranger.pem);

    const { nginx, root, recipes, runs, base } = await pushedPair(t, "sig");
    await fs.writeFile(path.join(recipes, "cache-keys.json"), JSON.stringify({ keys: [{ name: "ci", publicKey: trusted.publicKey }] }));
    // Readers with a lock of their own, which lists nothing: every stage is unlocked for them.
    const reader = async (name: string) => client(path.join(root, name), { url: nginx.url, recipes, store, runs, lockFile: path.join(root, `${name}.lock.json`) });

    const unsigned = await reader("unsigned");
    await buildTarget(unsigned, "0-base");
    assert.deepEqual(unsigned.backend.booted(), ["0-base"]);
    assertOneWarning(unsigned, /^warning: 0-base: ignoring the cache's entry \(the stage is not in recipes\/lock\.json and it is not signed\); building it$/);

    // The stranger's key signs, but the repository does not list it.
    const strangerPush = await client(path.join(root, "stranger"), { url: nginx.url, recipes, push: true, runs, env: { ...nginx.pushEnv, ZILCHBOOT_CACHE_SIGNING_KEY: path.join(keyDir, "stranger.pem") }, lockFile: path.join(root, "stranger.lock.json") });
    const strangerEntry = await buildTarget({ ...strangerPush, cache: null }, "0-base");
    await strangerPush.cache.push(strangerEntry, null);
    assert.equal((await record(nginx, "0-base", base.record.inputHash)).signature?.keyId?.length, 16);
    const doubtful = await reader("doubtful");
    await buildTarget(doubtful, "0-base");
    assertOneWarning(doubtful, /its signing key [0-9a-f]{16} is not in the repository's cache-keys\.json\); building it$/);

    // Signed by the listed key: pulled. Then the same record with its output changed: refused.
    const ciPush = await client(path.join(root, "ci"), { url: nginx.url, recipes, push: true, runs, env: { ...nginx.pushEnv, ZILCHBOOT_CACHE_SIGNING_KEY: path.join(keyDir, "trusted.pem") }, lockFile: path.join(root, "ci.lock.json") });
    const ciEntry = await buildTarget({ ...ciPush, cache: null }, "0-base");
    await ciPush.cache.push(ciEntry, null);
    const signedReader = await reader("signed");
    const pulled = await buildTarget(signedReader, "0-base");
    assert.deepEqual(signedReader.backend.boots, []);
    assert.deepEqual(warnings(signedReader.lines), []);
    assert.equal(pulled.record.pulled?.why, "signed by ci");

    const signed = await record(nginx, "0-base", base.record.inputHash);
    // The same signed record replayed under the key of another input hash of the same stage (a
    // changed recipe): its signature still verifies, but it vouches for other inputs.
    const changed = path.join(root, "changed-recipes");
    await fs.cp(recipes, changed, { recursive: true });
    await fs.writeFile(path.join(changed, "0-base", "tag.txt"), "changed\n");
    const replayReader = await client(path.join(root, "replay"), { url: nginx.url, recipes: changed, store, runs, lockFile: path.join(root, "replay.lock.json") });
    const [replayStep] = await planTarget({ ...replayReader, cache: null }, "0-base");
    assert.ok(replayStep.inputHash && replayStep.inputHash !== base.record.inputHash, "the changed recipe has another input hash");
    await put(nginx, acPath("0-base", replayStep.inputHash), recordBytes(signed));
    const replayed = await buildTarget(replayReader, "0-base");
    assert.deepEqual(replayReader.backend.booted(), ["0-base"]);
    assertOneWarning(replayReader, new RegExp(`^warning: 0-base: ignoring the cache's entry \\(it is the record of 0-base with input ${base.record.inputHash.slice(0, 16)}, not of this stage and input hash\\); building it$`));
    assert.equal(replayed.record.inputHash, replayStep.inputHash);

    await put(nginx, acPath("0-base", base.record.inputHash), recordBytes({ ...signed, output: "0".repeat(64) }));
    const tampered = await reader("tampered");
    await buildTarget(tampered, "0-base");
    assert.deepEqual(tampered.backend.booted(), ["0-base"]);
    assertOneWarning(tampered, /its signature does not verify with key ci \([0-9a-f]{16}\)\); building it$/);
    assert.equal(signed.format, RECORD_FORMAT);
  });

  test(`an invalid, oversized or blob-less record costs one warning and a build; nothing half-written stays (${store} store)`, async (t) => {
    const { nginx, root, recipes, runs, base } = await pushedPair(t, "broken");
    const honest = await record(nginx, "0-base", base.record.inputHash);
    const key = acPath("0-base", base.record.inputHash);
    const cases: [string, Buffer | string, RegExp][] = [
      ["not-json", "{ this is not json\n", /its record is not valid \(not JSON \(/],
      ["schema", recordBytes({ ...honest, output: "not a sha256" } as CacheRecord), /its record is not valid \(/],
      ["oversized", Buffer.concat([recordBytes(honest), Buffer.alloc(70 * 1024, 0x20)]), /GET ac\/[^ ]+ sent more than 65536 bytes/],
      ["evicted", recordBytes({ ...honest, archive: { sha256: "e".repeat(64), size: honest.archive.size } }), /its record names cas\/e{16}…, which the cache does not hold \(evicted\?\)/],
    ];
    for (const [name, body, why] of cases) {
      await put(nginx, key, body);
      const reader = await client(path.join(root, `reader-${name}`), { url: nginx.url, recipes, store, runs });
      const built = await buildTarget(reader, "0-base");
      assert.deepEqual(reader.backend.booted(), ["0-base"], `${name}: built locally`);
      const lines = warnings(reader.lines);
      assert.equal(lines.length, 1, `${name}: ${reader.lines.join("\n")}`);
      assert.match(lines[0], /^warning: 0-base: /, name);
      assert.match(lines[0], why, name);
      assert.equal(built.record.outputSha256, base.record.outputSha256, `${name}: the local build's output`);
      assert.deepEqual(await fs.readdir(path.join(reader.home, "runs")), [], `${name}: nothing half-written`);
    }
  });
}
