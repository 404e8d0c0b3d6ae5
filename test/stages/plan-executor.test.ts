// Plan, then execute, on the fake backend: what build and verify provide, boot, store, write to the
// lock and say when they fail. No VM boots here.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { after, test } from "node:test";
import { ZilchError } from "../../src/errors.js";
import { buildTarget, planTarget, verifyTarget } from "../../src/stages/chain.js";
import { listEntries } from "../../src/store/store.js";
import { fakeSession, tempRoot, twoStageChain, writeStage, type FakeRun } from "../fixtures/fake-vm.js";

const roots: string[] = [];
after(async () => {
  for (const root of roots) await fs.rm(root, { recursive: true, force: true });
});

const PINS = { musl: "m".repeat(64) };

function chainRoot(prefix: string): Promise<string> {
  return twoStageChain(prefix, roots);
}

async function session(root: string, opts: { runs?: Record<string, FakeRun>; knownSeed?: boolean; bootsKernel?: boolean; cpus?: number } = {}) {
  return fakeSession(root, { pins: PINS, ...opts });
}

test("plan says build for what the store lacks, build boots exactly those, then plan says reuse", async () => {
  const root = await chainRoot("plan-agree");
  const s = await session(root);
  const before = await planTarget(s, "2-b");
  assert.deepEqual(before.map((step) => [step.stage.name, step.verdict]), [["1-a", "build"], ["2-b", "unknown-until-inputs-built"]]);
  const entry = await buildTarget(s, "2-b");
  assert.deepEqual(s.backend.booted(), ["1-a", "2-b"]);
  const after = await planTarget(s, "2-b");
  assert.deepEqual(after.map((step) => step.verdict), ["reuse", "reuse"]);
  assert.equal(after[0].inputHash, before[0].inputHash, "the plan's hash is the one the build stored");
  assert.equal(after[1].inputHash, entry.record.inputHash);
  assert.ok(s.backend.shares[1].includes("store/1-a/1-a.txt"), "2-b's share serves 1-a's output");
  assert.ok(!s.backend.shares[1].some((file) => file.startsWith("sources/")), "and not 1-a's sources");
});

test("a cached chain provisions no kernel, seed or sources and boots nothing", async () => {
  const root = await chainRoot("cached");
  await buildTarget(await session(root), "2-b");
  const again = await session(root);
  await buildTarget(again, "2-b");
  assert.deepEqual(again.provision.counts, { seed: 0, kernel: 0, sources: 0 });
  assert.deepEqual(again.backend.booted(), []);
});

test("a runner that boots no kernel (--runner native) never asks for one; sources only for built stages", async () => {
  const root = await chainRoot("native");
  const s = await session(root, { bootsKernel: false });
  await buildTarget(s, "1-a");
  assert.deepEqual(s.provision.counts, { seed: 1, kernel: 0, sources: 1 });
  await buildTarget(s, "2-b");
  assert.deepEqual(s.provision.counts, { seed: 2, kernel: 0, sources: 2 }, "1-a reused: only 2-b was provided for");
});

test("a seed whose sha256 is not known yet is provided once to learn it, then the store is used", async () => {
  const root = await chainRoot("unknown-seed");
  await buildTarget(await session(root), "2-b");
  const s = await session(root, { knownSeed: false });
  assert.deepEqual((await planTarget(s, "2-b")).map((step) => step.verdict), ["unknown-until-inputs-built", "unknown-until-inputs-built"]);
  await buildTarget(s, "2-b");
  assert.deepEqual(s.backend.booted(), []);
  assert.equal(s.provision.counts.kernel, 0);
  assert.equal(s.provision.counts.sources, 0);
});

test("the job count reaches the guest but not the input hash", async () => {
  const root = await tempRoot("jobs");
  roots.push(root);
  // A stand-in for stage 1 that provides what a shell stage runs with: an init and a shell.
  await writeStage(path.join(root, "recipes"), "1-stage1", { provides: { bin: ["bin"], init: "init", shell: "bin/ash" } });
  await writeStage(path.join(root, "recipes"), "2-sh", { runner: "shell", program: "build.sh", inputs: ["1-stage1"], tools: ["1-stage1"], lib: [] });
  await fs.writeFile(path.join(root, "recipes", "2-sh", "build.sh"), "true\n");
  const one = await session(root, { cpus: 1 });
  const built = await buildTarget(one, "2-sh");
  const four = await session(root, { cpus: 4 });
  assert.equal((await buildTarget(four, "2-sh")).dir, built.dir, "cached across job counts");
  assert.deepEqual(four.backend.booted(), []);
  const forced = await buildTarget(four, "2-sh", { force: true });
  assert.equal(forced.record.inputHash, built.record.inputHash);
  assert.ok(one.backend.boots[1].initArgs.includes("JOBS=1"));
  assert.ok(four.backend.boots[0].initArgs.includes("JOBS=4"));
});

test("verify of a stage the lock lacks fails in one line before building, and the lock is byte-unchanged", async () => {
  const root = await chainRoot("verify-unlocked");
  const s = await session(root);
  const lockText = `{"stages":{"1-a":{"output":"${"a".repeat(64)}"}}}`;
  await fs.writeFile(s.lockFile, lockText);
  await assert.rejects(verifyTarget(s, "2-b"), (error: unknown) => {
    assert.ok(error instanceof ZilchError);
    assert.match(error.line, /^cannot verify 2-b: .*lock\.json has no entry for it/);
    assert.ok(!error.line.includes("\n"));
    return true;
  });
  assert.equal(await fs.readFile(s.lockFile, "utf8"), lockText);
  assert.deepEqual(s.backend.booted(), []);
});

test("verify rebuilds a locked stage without storing it or writing the lock; a home that does not exist yet is fine", async () => {
  const root = await chainRoot("verify-ok");
  const builder = await session(root);
  await buildTarget(builder, "2-b");
  const lockText = await fs.readFile(builder.lockFile, "utf8");
  await fs.rm(builder.home, { recursive: true });
  await buildTarget(builder, "1-a");
  const s = await session(root);
  const result = await verifyTarget(s, "2-b");
  assert.deepEqual(s.backend.booted(), ["2-b"], "the input is reused, the target rebuilt");
  assert.equal(result.output, JSON.parse(lockText).stages["2-b"].output);
  assert.equal(await fs.readFile(s.lockFile, "utf8"), lockText);
  assert.deepEqual((await listEntries(s.home)).map((e) => e.record.stage), ["1-a"], "the verified output is not stored");
  assert.ok((await fs.readFile(result.logFile, "utf8")).includes("fake guest: 2-b"), "its log stays");

  const fresh = await session(await chainRoot("verify-fresh-home"));
  await fs.writeFile(fresh.lockFile, lockText);
  await assert.rejects(fs.access(fresh.home));
  assert.equal((await verifyTarget(fresh, "2-b")).output, result.output, "inputs are built into the new home on the way");
  assert.equal(await fs.readFile(fresh.lockFile, "utf8"), lockText);
});

test("a verify mismatch fails naming the log it keeps, and with --keep the output; the lock is unchanged", async () => {
  const root = await chainRoot("verify-mismatch");
  const s = await session(root);
  await buildTarget(s, "2-b");
  const wrong = `{"stages":{"1-a":${JSON.stringify(JSON.parse(await fs.readFile(s.lockFile, "utf8")).stages["1-a"])},"2-b":{"output":"${"0".repeat(64)}"}}}`;
  await fs.writeFile(s.lockFile, wrong);
  await assert.rejects(verifyTarget(s, "2-b", { keep: true }), (error: unknown) => {
    assert.ok(error instanceof ZilchError);
    assert.match(error.message, new RegExp(`^verify 2-b: the rebuild produced output sha256 [0-9a-f]{64}, .*lock\\.json expects ${"0".repeat(64)}; log: (.*)$`));
    const log = /log: (.*)$/.exec(error.message)![1];
    assert.ok(log.startsWith(path.join(s.home, "logs")), "the log lives in the home, not in a scratch folder");
    assert.match(error.hint ?? "", /the output is in .*entry\/out; the lock was not changed/);
    return true;
  });
  const logs = await fs.readdir(path.join(s.home, "logs"));
  assert.ok(logs.some((name) => name.endsWith("-2-b.log")), "the per-run log is still there");
  assert.equal(await fs.readFile(s.lockFile, "utf8"), wrong);
});

test("a failed stage names its per-run log and the exact command, flags and environment that reopen it", async () => {
  const root = await chainRoot("failure");
  const s = await session(root, { runs: { "1-a": { outcome: { kind: "status", status: 3 }, console: ["compiling", "error: nope"] } } });
  await assert.rejects(buildTarget(s, "2-b"), (error: unknown) => {
    assert.ok(error instanceof ZilchError);
    assert.match(error.message, /^stage 1-a failed: guest exited 3 after 0s \(last line: "error: nope"\); log: .*\/logs\/\d{8}T\d{6}Z-[0-9a-f]{8}-1-a\.log$/);
    assert.equal(error.details.at(-1), `to debug it, re-run the stage in its VM and get a shell in its build tree: ZILCHBOOT_HOME=${s.home} zilchboot shell 1-a --rerun --cpus 2 --kernel /k/vmlinux --seed /s/tcc-seed`);
    return true;
  });
  const latest = path.join(s.home, "logs", "1-a.log");
  assert.equal(await fs.readFile(latest, "utf8"), "compiling\nerror: nope\n", "logs/<stage>.log leads to the latest run");
  assert.deepEqual(await listEntries(s.home), []);
  assert.deepEqual(await fs.readdir(path.join(s.home, "runs")), [], "the run directory is gone without --keep");
});

test("an i386 stage's failure says why shell cannot open it and what reproduces it instead", async () => {
  const root = await tempRoot("failure-i386");
  roots.push(root);
  await writeStage(path.join(root, "recipes"), "0-x", { arch: "i386" });
  const s = await session(root, { runs: { "0-x": { outcome: { kind: "timeout" } } } });
  await assert.rejects(buildTarget(s, "0-x"), (error: unknown) => {
    assert.ok(error instanceof ZilchError);
    assert.match(error.message, /timed out after 600s, VM killed/);
    assert.match(error.details.at(-1)!, /^zilchboot shell cannot open 0-x \(an i386 stage; the shell's tools are x86_64\); .*: ZILCHBOOT_HOME=\S+ zilchboot build 0-x --keep --verbose --cpus 2 --kernel \/k\/vmlinux --seed \/s\/tcc-seed$/);
    return true;
  });
});

test("a build whose output differs from the lock fails with both hashes and stores nothing; --update-lock accepts it", async () => {
  const root = await chainRoot("lock");
  const s = await session(root);
  await fs.writeFile(s.lockFile, `{"stages":{"1-a":{"output":"${"f".repeat(64)}"}}}`);
  await assert.rejects(buildTarget(s, "1-a"), (error: unknown) => error instanceof ZilchError && /^stage 1-a produced output sha256 [0-9a-f]{64}, .*lock\.json expects f{64}; log: .*; nothing was stored .*--update-lock$/.test(error.line));
  assert.deepEqual(await listEntries(s.home), []);
  const accepted = await buildTarget(s, "1-a", { updateLock: true });
  assert.equal(JSON.parse(await fs.readFile(s.lockFile, "utf8")).stages["1-a"].output, accepted.record.outputSha256);
});
