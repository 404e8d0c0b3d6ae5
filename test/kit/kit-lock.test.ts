// recipes/kit-lock.json: its shape is checked on load (each kind's files, inputs and results), a
// kit entry is compared with the lock's on files, inputs and results (not on the host that made
// it), stale inputs are told one by one, and the repository's own lock is current.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { staleReasons } from "../../src/kit/inputs.js";
import { entryDifference, kitLockFile, loadKitLock, parseKitLock, saveKitLock } from "../../src/kit/kit-lock.js";
import { kitInputs } from "../../src/provision.js";
import { tempDir } from "../helpers/home.js";
import { ALL_ARTEFACTS, writeFixtureImages } from "../helpers/kit-fixtures.js";

test("a saved lock loads back the same, and a missing lock file is an empty lock", async () => {
  const dir = await tempDir("kit-lock");
  const { artefacts } = await writeFixtureImages(path.join(dir, "images"), ALL_ARTEFACTS);
  const file = path.join(dir, "kit-lock.json");
  await saveKitLock(file, artefacts);
  assert.deepEqual((await loadKitLock(file)).artefacts, artefacts);
  const text = await fs.readFile(file, "utf8");
  assert.match(text, /"\$schema": "schema\/kit-lock\.schema\.json"/);
  assert.ok(text.indexOf('"kernel-i386"') < text.indexOf('"seed-x86_64"'), "entries sorted");
  assert.deepEqual((await loadKitLock(path.join(dir, "absent.json"))).artefacts, {});
  await fs.rm(dir, { recursive: true, force: true });
});

test("a lock entry must be named after its kind and arch and list exactly that kind's files and facts", async () => {
  const dir = await tempDir("kit-lock-bad");
  const { artefacts } = await writeFixtureImages(path.join(dir, "images"), ALL_ARTEFACTS);
  const seed = artefacts["seed-x86_64"]!;
  await assert.rejects(parseKitLock({ artefacts: { "seed-i386": seed } }, "bad.json"), /bad\.json: artefacts\.seed-i386 says kind seed and arch x86_64/);
  await assert.rejects(parseKitLock({ artefacts: { "seed-x86_64": { ...seed, files: { ...seed.files, extra: seed.files["tcc-seed"] } } } }, "bad.json"), /files lists extra, tcc-seed; a seed has tcc-seed/);
  const kernel = artefacts["kernel-x86_64"]!;
  await assert.rejects(parseKitLock({ artefacts: { "kernel-x86_64": { ...kernel, built: {} } } }, "bad.json"), /artefacts\.kernel-x86_64\.built lacks configSha256, release/);
  await assert.rejects(parseKitLock({ artefacts: { "kernel-arm": kernel } }, "bad.json"), /bad\.json: artefacts: unknown key "kernel-arm"|kernel-arm/);
  await fs.rm(dir, { recursive: true, force: true });
});

test("a kit entry agrees with the lock's when files, inputs and results agree, whatever host made it", async () => {
  const dir = await tempDir("kit-lock-diff");
  const { artefacts } = await writeFixtureImages(path.join(dir, "images"), ALL_ARTEFACTS);
  const lock = artefacts["kernel-x86_64"]!;
  assert.equal(entryDifference({ ...lock, host: { os: "another Debian" } }, lock), undefined);
  assert.match(entryDifference({ ...lock, inputs: { ...lock.inputs, builder: "zilchboot-kernel/9" } }, lock) ?? "", /^inputs\.builder is "zilchboot-kernel\/9" in the kit, "zilchboot-kernel\/test" in the lock$/);
  assert.match(entryDifference({ ...lock, built: { ...lock.built, release: "6.1.1" } }, lock) ?? "", /^built\.release is "6\.1\.1" in the kit, "6\.1\.0" in the lock$/);
  const { vmlinux, ...fewer } = lock.files;
  assert.ok(vmlinux);
  assert.equal(entryDifference({ ...lock, files: fewer }, lock), "the lock lists vmlinux, the kit does not");
  await fs.rm(dir, { recursive: true, force: true });
});

test("stale inputs are named one by one with both values", () => {
  const old = { linuxSha256: "a".repeat(64), linuxVersion: "6.1.192-2", fragmentSha256: "b".repeat(64), builder: "zilchboot-kernel/3" };
  assert.deepEqual(staleReasons(old, old), []);
  assert.deepEqual(staleReasons(old, { ...old, linuxVersion: "6.1.200-1", fragmentSha256: "c".repeat(64) }), [
    'the linux pin\'s version: now "6.1.200-1", locked from "6.1.192-2"',
    "the kernel config fragments (vm/kernel/*.config): now cccccccccccc…, locked from bbbbbbbbbbbb…",
  ]);
});

test("the repository's kit lock is valid and made from this checkout's pins, fragments and builders", async () => {
  const lock = await loadKitLock(kitLockFile(), { missingOk: false });
  assert.ok(lock.artefacts["seed-x86_64"] && lock.artefacts["kernel-x86_64"], "the main chain's seed and kernel are locked");
  for (const [key, entry] of Object.entries(lock.artefacts)) {
    const stale = staleReasons(entry.inputs, await kitInputs(entry.kind, entry.arch));
    assert.deepEqual(stale, [], `${key} is stale: run \`zilchboot kit lock --arch ${entry.arch} --only ${entry.kind}\` on x86_64 Linux and commit recipes/kit-lock.json`);
  }
});
