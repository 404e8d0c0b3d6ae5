// buildStage's store and lock logic with a fake VM (test/helpers/fake-vm.ts): milliseconds, no
// emulator. What a real guest does is proven by the smoke-stage tests; this is the plumbing.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { after, before, test } from "node:test";
import { ZilchError } from "../../src/errors.js";
import { guestDir } from "../../src/provision.js";
import { loadStage } from "../../src/stages/recipe.js";
import { buildStage, type BuildStageOptions } from "../../src/stages/run.js";
import { readLock } from "../../src/store/lock.js";
import { listEntries } from "../../src/store/store.js";
import { FakeBackend } from "../helpers/fake-vm.js";
import { tempDir } from "../helpers/home.js";
import { copySmokeStage } from "../helpers/recipes.js";

let scratch: string;
let base: Omit<BuildStageOptions, "stage" | "workDir" | "backend">;

before(async () => {
  scratch = await tempDir("fake-vm");
  // Hashed as the seed, never run: the fake backend boots nothing.
  const seed = path.join(scratch, "not-a-seed");
  await fs.writeFile(seed, "fake seed\n");
  base = { guestDir: guestDir(), seed, kernel: { path: "/nonexistent/kernel", identity: { fake: true } }, sources: {}, dependencies: {}, cpus: 1 };
});

after(async () => {
  await fs.rm(scratch, { recursive: true, force: true });
});

async function smoke(name: string) {
  return loadStage(await copySmokeStage(path.join(scratch, `recipes-${name}`)), "0-smoke");
}

test("a new stage is built once, recorded in the lock and served from the store the second time", async () => {
  const workDir = path.join(scratch, "new");
  const lockFile = path.join(scratch, "new-lock.json");
  const backend = new FakeBackend({ out: { "hello.txt": "hi\n" }, console: ["zilchboot-guest: pid 1"] });
  const stage = await smoke("new");
  const first = await buildStage({ ...base, stage, workDir, lockFile, backend });
  assert.equal(first.cached, false);
  assert.equal((await readLock(lockFile)).stages["0-smoke"]?.output, first.entry.record.outputSha256);
  const second = await buildStage({ ...base, stage, workDir, lockFile, backend });
  assert.equal(second.cached, true);
  assert.equal(backend.boots.length, 1, "the second build booted nothing");
  assert.equal((await listEntries(workDir)).length, 1);
});

test("an output that disagrees with the lock fails naming both hashes and stores nothing", async () => {
  const workDir = path.join(scratch, "mismatch");
  const lockFile = path.join(scratch, "mismatch-lock.json");
  const wrong = "e".repeat(64);
  await fs.writeFile(lockFile, JSON.stringify({ stages: { "0-smoke": { output: wrong } } }));
  await assert.rejects(buildStage({ ...base, stage: await smoke("mismatch"), workDir, lockFile, backend: new FakeBackend({ out: { "x": "y" } }) }), (error: unknown) => {
    assert.ok(error instanceof ZilchError);
    assert.match(error.message, new RegExp(`stage 0-smoke produced output sha256 [0-9a-f]{64}, .*expects ${wrong}`));
    assert.match(error.hint ?? "", /--update-lock/);
    return true;
  });
  assert.deepEqual(await listEntries(workDir), []);
  assert.equal((await readLock(lockFile)).stages["0-smoke"].output, wrong, "the lock is unchanged");
});

test("a guest status other than 0 fails with the console tail and stores nothing", async () => {
  const workDir = path.join(scratch, "status");
  const backend = new FakeBackend({ out: { partial: "p" }, console: ["compiling", "ld: undefined symbol"], outcome: { kind: "status", status: 3 } });
  await assert.rejects(buildStage({ ...base, stage: await smoke("status"), workDir, backend }), (error: unknown) => {
    assert.ok(error instanceof ZilchError);
    assert.match(error.message, /stage 0-smoke failed: guest exited 3/);
    assert.ok(error.details.some((line) => line.includes("ld: undefined symbol")), error.details.join("\n"));
    return true;
  });
  assert.deepEqual(await listEntries(workDir), []);
});

test("a source served from an alternative file keeps the input hash and is named in the build record", async () => {
  const stage = await smoke("alternative");
  const tarball = path.join(scratch, "pkg.tar");
  await fs.writeFile(tarball, "a repack\n");
  const pinSha = "a".repeat(64);
  const own = { servedAs: "pkg-dfsg-1.0.tar.xz", path: tarball, sha256: pinSha, used: { file: "pkg-dfsg-1.0.tar.xz", sha256: pinSha } };
  const viaAlternative = { ...own, used: { file: "pkg-1.0.tar.gz", sha256: "b".repeat(64), alternative: 0, treeSha256: "c".repeat(64) } };
  const backend = new FakeBackend({ out: { "hello.txt": "hi\n" } });
  const first = await buildStage({ ...base, stage, workDir: path.join(scratch, "alt-own"), backend, sources: { pkg: own } });
  const second = await buildStage({ ...base, stage, workDir: path.join(scratch, "alt-other"), backend, sources: { pkg: viaAlternative } });
  assert.equal(second.entry.record.inputHash, first.entry.record.inputHash);
  assert.deepEqual(first.entry.record.sourceFiles, { pkg: own.used });
  assert.deepEqual(second.entry.record.sourceFiles, { pkg: viaAlternative.used });
  const stored = JSON.parse(await fs.readFile(path.join(second.entry.dir, "record.json"), "utf8")) as { sourceFiles: unknown };
  assert.deepEqual(stored.sourceFiles, { pkg: viaAlternative.used });
});
