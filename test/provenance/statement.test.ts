// The statement itself: an in-toto Statement v1 about the stage's output, with every input the
// input hash covers as a resolved dependency and the run's facts as zilchboot's byproduct.
import assert from "node:assert/strict";
import { test } from "node:test";
import { BUILD_TYPE, SLSA_PROVENANCE, STATEMENT_TYPE, buildStatement, runFacts } from "../../src/provenance/statement.js";
import type { BuildRecord } from "../../src/store/store.js";

const hex = (c: string) => c.repeat(64);

function record(overrides: Partial<BuildRecord> = {}): BuildRecord {
  return {
    stage: "2-b",
    inputHash: hex("1"),
    inputs: { stage: "2-b", recipeTree: hex("2"), guestTree: hex("3"), seedSha256: hex("4"), sources: { zlib: hex("6"), musl: hex("5") }, dependencies: { "1-a": hex("7") } },
    outputSha256: hex("8"),
    outputBytes: 10,
    outputFiles: 1,
    engine: "qemu tcg,thread=multi",
    cpus: 2,
    kernel: { sourceSha256: hex("9"), arch: "x86_64" },
    seedSha256: hex("4"),
    wallMs: 103_449,
    initOutputMs: 5,
    builtAt: "2026-12-02T10:01:43.449Z",
    sourceFiles: { musl: { file: "musl-1.2.5.tar.gz" } as never },
    ...overrides,
  };
}

test("a build's statement names its output as subject and every input's digest, sources sorted by pin", () => {
  const s = buildStatement(record(), "lock", { version: "0.1.0", commit: "abc123" });
  assert.equal(s._type, STATEMENT_TYPE);
  assert.equal(s.predicateType, SLSA_PROVENANCE);
  assert.deepEqual(s.subject, [{ name: "2-b", digest: { sha256: hex("8") } }]);
  assert.equal(s.predicate.buildDefinition.buildType, BUILD_TYPE);
  assert.deepEqual(s.predicate.buildDefinition.externalParameters, { stage: "2-b", inputHash: hex("1") });
  assert.deepEqual(s.predicate.buildDefinition.resolvedDependencies, [
    { name: "recipe:2-b", digest: { zilchbootTree: hex("2") } },
    { name: "guest:vm/guest", digest: { zilchbootTree: hex("3") } },
    { name: "seed:x86_64", digest: { sha256: hex("4") } },
    { name: "source:musl", digest: { sha256: hex("5") }, annotations: { used: { file: "musl-1.2.5.tar.gz" } } },
    { name: "source:zlib", digest: { sha256: hex("6") } },
    { name: "stage:1-a", digest: { sha256: hex("7") } },
    { name: "kernel", annotations: { sourceSha256: hex("9"), arch: "x86_64" } },
  ]);
  assert.deepEqual(s.predicate.runDetails.builder, { id: "pkg:npm/zilchboot@0.1.0", version: { zilchboot: "0.1.0", commit: "abc123" } });
  assert.deepEqual(s.predicate.runDetails.metadata, { startedOn: "2026-12-02T10:00:00.000Z", finishedOn: "2026-12-02T10:01:43.449Z" });
  assert.deepEqual(runFacts(s), { role: "lock", runner: "qemu", engine: "tcg,thread=multi", cpus: 2, wallSeconds: 103.4 });
});

test("a native run names no kernel, and a record without a vCPU count says so rather than guessing", () => {
  const s = buildStatement(record({ engine: "native native (namespaces, not a VM)", kernel: { native: "true" }, cpus: undefined, inputs: { stage: "2-b", recipeTree: hex("2"), guestTree: null, seedSha256: null, sources: {}, dependencies: {} } }), "reproduction", { version: "0.1.0", commit: null });
  assert.deepEqual(s.predicate.buildDefinition.resolvedDependencies.map((d) => d.name), ["recipe:2-b"]);
  assert.deepEqual(s.predicate.runDetails.builder.version, { zilchboot: "0.1.0" });
  assert.deepEqual(runFacts(s), { role: "reproduction", runner: "native", engine: "native (namespaces, not a VM)", cpus: null, wallSeconds: 103.4 });
});
