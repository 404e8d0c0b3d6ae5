// The chain over an archive store (ZILCHBOOT_STORE=archive, the default on Windows and macOS):
// build stores every entry as out.tar, plan reuses them, verify rebuilds a stage whose input is
// served from inside a tar and compares it with the lock, and a verify that differs names the
// files. The VM is the fake backend that serves share trees as our 9p server would (no VM boots).
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { after, test } from "node:test";
import { ZilchError } from "../../src/errors.js";
import { buildTarget, planTarget, verifyTarget } from "../../src/stages/chain.js";
import { archiveIdentity } from "../../src/store/archive-entry.js";
import { listEntries } from "../../src/store/store.js";
import type { BootSpec } from "../../src/vm/backend.js";
import { fakeSession, twoStageChain, type FakeSession } from "../fixtures/fake-vm.js";
import { FakeBackend, type FakeRunPlan } from "../helpers/fake-vm.js";

const roots: string[] = [];
after(async () => {
  for (const root of roots) await fs.rm(root, { recursive: true, force: true });
});

/** What each stage's guest writes: 2-b also says whether it found 1-a's tool executable. */
async function guest(spec: BootSpec, variant: string): Promise<FakeRunPlan> {
  const runDir = path.basename(path.dirname(path.dirname(spec.outDir!)));
  if (runDir.startsWith("1-a-")) return { out: { "bin/tool": "#!/bin/sh\n", "1-a.txt": "a\n" }, modes: { "bin/tool": 0o755 }, links: { "bin/cc": "tool" } };
  const tool = await spec.rootTree!.lstat(["store", "1-a", "bin", "tool"]);
  const link = await spec.rootTree!.readlink(["store", "1-a", "bin", "cc"]);
  return { out: { "2-b.txt": `tool mode ${(tool.mode & 0o777).toString(8)}, cc -> ${link}${variant}\n` } };
}

/** The fake backend serving share trees, whose guest reads its root before writing /out. */
class TreeGuest extends FakeBackend {
  private readonly next: { plan?: FakeRunPlan };
  constructor(private readonly variant: string) {
    const next: { plan?: FakeRunPlan } = {};
    super(() => next.plan!, { servesShareTrees: true });
    this.next = next;
  }

  override async boot(spec: BootSpec) {
    this.next.plan = await guest(spec, this.variant);
    return super.boot(spec);
  }
}

/** A session over `root` whose backend serves share trees, with the store kept as archives. */
async function archiveSession(root: string, variant = ""): Promise<FakeSession & { trees: TreeGuest }> {
  const s = await fakeSession(root, { pins: { musl: "m".repeat(64) } });
  const trees = new TreeGuest(variant);
  return { ...s, store: "archive", runnerFor: async () => ({ bootsKernel: true, backend: () => trees }), trees };
}

function chainRoot(prefix: string): Promise<string> {
  return twoStageChain(prefix, roots);
}

test("build stores archives, plan reuses them, verify rebuilds from a tar input and matches the lock", async () => {
  const root = await chainRoot("archive-chain");
  const built = await archiveSession(root);
  const entry = await buildTarget(built, "2-b");
  const entries = await listEntries(built.home);
  assert.deepEqual(entries.map((e) => e.record.stage), ["1-a", "2-b"]);
  for (const e of entries) {
    assert.deepEqual((await fs.readdir(e.dir)).sort(), ["out.tar", "record.json"], `${e.record.stage} is kept as its tar`);
    assert.equal((await archiveIdentity(e.archive!)).sha256, e.record.outputSha256);
  }
  assert.ok(built.trees.boots[1].rootTree, "2-b's root was a tree (its input is a tar)");
  const lock = JSON.parse(await fs.readFile(built.lockFile, "utf8"));
  assert.equal(lock.stages["2-b"].output, entry.record.outputSha256);

  const planned = await planTarget(await archiveSession(root), "2-b");
  assert.deepEqual(planned.map((step) => [step.stage.name, step.verdict]), [["1-a", "reuse"], ["2-b", "reuse"]]);

  const again = await archiveSession(root);
  const result = await verifyTarget(again, "2-b", { keep: true });
  assert.equal(again.trees.boots.length, 1, "only the target was rebuilt");
  assert.equal(result.output, entry.record.outputSha256);
  assert.match(result.keptOutput ?? "", /entry[/\\]out\.tar$/, "the kept verify output is a tar too");
  assert.equal((await archiveIdentity(result.keptOutput!)).sha256, entry.record.outputSha256);
  assert.equal(JSON.stringify(JSON.parse(await fs.readFile(again.lockFile, "utf8"))), JSON.stringify(lock), "verify never writes the lock");
});

test("a verify that differs from the lock names the file that differs from the stored archive entry, and stores nothing", async () => {
  const root = await chainRoot("archive-verify-differs");
  await buildTarget(await archiveSession(root), "2-b");
  const before = (await listEntries(path.join(root, "home"))).map((e) => e.dir);
  const changed = await archiveSession(root, " (changed)");
  await assert.rejects(verifyTarget(changed, "2-b"), (error: unknown) => {
    assert.ok(error instanceof ZilchError);
    assert.match(error.line, /^verify 2-b: the rebuild produced output sha256 [0-9a-f]{64}, .*lock\.json expects [0-9a-f]{64}/);
    assert.ok(error.details.some((line) => line.includes("2-b.txt")), `details name 2-b.txt: ${error.details.join(" | ")}`);
    return true;
  });
  assert.deepEqual((await listEntries(path.join(root, "home"))).map((e) => e.dir), before);
});
