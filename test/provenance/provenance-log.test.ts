// Provenance on the fake backend: a build that writes a lock entry writes its statement beside
// the lock, a matching rebuild attested by verify is appended, and --update-lock starts the
// evidence afresh for the new output.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { attestRun, provenanceFile, readProvenance } from "../../src/provenance/provenance-log.js";
import { runFacts, subjectDigest } from "../../src/provenance/statement.js";
import { buildTarget, verifyTarget } from "../../src/stages/chain.js";
import { readLock } from "../../src/store/lock.js";
import { fakeSession, twoStageChain } from "../fixtures/fake-vm.js";

const MUSL = "5".repeat(64);

test("a build that writes lock entries writes one statement per stage beside the lock, naming its inputs", async (t) => {
  const roots: string[] = [];
  t.after(() => Promise.all(roots.map((r) => fs.rm(r, { recursive: true, force: true }))));
  const root = await twoStageChain("provenance-build", roots);
  const session = await fakeSession(root, { pins: { musl: MUSL } });
  await buildTarget(session, "2-b");
  const lock = await readLock(session.lockFile);
  assert.equal(provenanceFile(session.lockFile, "2-b"), path.join(root, "recipes", "provenance", "2-b.jsonl"));
  const [statement, ...more] = await readProvenance(session.lockFile, "2-b");
  assert.deepEqual(more, []);
  assert.equal(subjectDigest(statement), lock.stages["2-b"].output);
  const deps = Object.fromEntries(statement.predicate.buildDefinition.resolvedDependencies.map((d) => [d.name, d.digest]));
  assert.deepEqual(deps["stage:1-a"], { sha256: lock.stages["1-a"].output });
  assert.deepEqual(deps["seed:x86_64"], { sha256: (await readProvenance(session.lockFile, "1-a"))[0].predicate.buildDefinition.resolvedDependencies.find((d) => d.name === "seed:x86_64")!.digest!.sha256 });
  assert.deepEqual((await readProvenance(session.lockFile, "1-a"))[0].predicate.buildDefinition.resolvedDependencies.find((d) => d.name === "source:musl")?.digest, { sha256: MUSL });
  assert.deepEqual(runFacts(statement), { role: "lock", runner: "fake", engine: "fake", cpus: 2, wallSeconds: 0 });
  assert.ok(session.lines.some((line) => line.startsWith("2-b: recorded its provenance in ")));

  // A rebuild that matches the lock writes no lock entry, so no statement either.
  await buildTarget(session, "2-b", { force: true });
  assert.equal((await readProvenance(session.lockFile, "2-b")).length, 1);
});

test("verify's attestation of a matching rebuild is appended after the locking build's statement", async (t) => {
  const roots: string[] = [];
  t.after(() => Promise.all(roots.map((r) => fs.rm(r, { recursive: true, force: true }))));
  const root = await twoStageChain("provenance-verify", roots);
  const session = await fakeSession(root, { pins: { musl: MUSL } });
  await buildTarget(session, "1-a");
  const one = await fakeSession(root, { pins: { musl: MUSL }, cpus: 1 });
  const result = await verifyTarget(one, "1-a");
  await attestRun(one.lockFile, result.record, "reproduction");
  const statements = await readProvenance(session.lockFile, "1-a");
  assert.deepEqual(statements.map((s) => [runFacts(s).role, runFacts(s).cpus]), [["lock", 2], ["reproduction", 1]]);
  assert.equal(subjectDigest(statements[1]), (await readLock(session.lockFile)).stages["1-a"].output);
  const lines = (await fs.readFile(provenanceFile(session.lockFile, "1-a"), "utf8")).split("\n");
  assert.equal(lines.length, 3, "one JSON statement a line, and a final newline");
});

test("--update-lock to another output starts its evidence afresh: statements about the old output are dropped", async (t) => {
  const roots: string[] = [];
  t.after(() => Promise.all(roots.map((r) => fs.rm(r, { recursive: true, force: true }))));
  const root = await twoStageChain("provenance-update", roots);
  await buildTarget(await fakeSession(root, { pins: { musl: MUSL } }), "1-a");
  const changed = await fakeSession(root, { pins: { musl: MUSL }, runs: { "1-a": { files: { "other.txt": "another output\n" } } } });
  await buildTarget(changed, "1-a", { force: true, updateLock: true });
  const statements = await readProvenance(changed.lockFile, "1-a");
  assert.equal(statements.length, 1);
  assert.equal(subjectDigest(statements[0]), (await readLock(changed.lockFile)).stages["1-a"].output);
});

test("a line that is not a provenance statement is an error naming the file and line", async (t) => {
  const roots: string[] = [];
  t.after(() => Promise.all(roots.map((r) => fs.rm(r, { recursive: true, force: true }))));
  const root = await twoStageChain("provenance-bad", roots);
  const lockFile = path.join(root, "recipes", "lock.json");
  await fs.mkdir(path.dirname(provenanceFile(lockFile, "1-a")), { recursive: true });
  await fs.writeFile(provenanceFile(lockFile, "1-a"), '{"_type":"https://in-toto.io/Statement/v1"}\n');
  await assert.rejects(readProvenance(lockFile, "1-a"), /1-a\.jsonl:1 is not a provenance statement/);
});
