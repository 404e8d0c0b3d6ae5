// runStage with the shares in memory (--share-fs memory|foreign), with a fake VM that writes /out
// through the tree it is given: the stored output and its hash are the ones a host-directory run
// gives, though the foreign run's spill files sat on a simulated NTFS-like file system. With an
// archive store (ZILCHBOOT_STORE=archive) the output is stored as its canonical tar, and a stage
// reading such an entry is served from inside the tar.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { after, before, test } from "node:test";
import { packOutput } from "../../src/cache/output-archive.js";
import { ZilchError } from "../../src/errors.js";
import { guestDir } from "../../src/provision.js";
import { loadStage } from "../../src/stages/recipe.js";
import { buildStage, type BuildStageOptions } from "../../src/stages/run.js";
import { archiveIdentity } from "../../src/store/archive-entry.js";
import type { BootSpec } from "../../src/vm/backend.js";
import { FakeBackend, type FakeRunPlan } from "../helpers/fake-vm.js";
import { tempDir } from "../helpers/home.js";
import { copySmokeStage } from "../helpers/recipes.js";

let scratch: string;
let base: Omit<BuildStageOptions, "stage" | "workDir" | "backend">;

before(async () => {
  scratch = await tempDir("run-share-fs");
  const seed = path.join(scratch, "not-a-seed");
  await fs.writeFile(seed, "fake seed\n");
  base = { guestDir: guestDir(), seed, kernel: { path: "/nonexistent/kernel", identity: { fake: true } }, sources: {}, dependencies: {}, cpus: 1 };
});

after(async () => {
  await fs.rm(scratch, { recursive: true, force: true });
});

const plan: FakeRunPlan = {
  out: { "bin/tool": "#!/bin/sh\n", "include/xt_CONNMARK.h": "upper\n", "include/xt_connmark.h": "lower\n", "aux.c": "int aux;\n", "con": "c\n" },
  modes: { "bin/tool": 0o755 },
  links: { "bin/cc": "tool" },
};

async function build(mode: "host" | "memory" | "foreign", onBoot?: (spec: BootSpec) => void) {
  const stage = await loadStage(await copySmokeStage(path.join(scratch, `recipes-${mode}`)), "0-smoke");
  const backend = new FakeBackend((spec) => {
    onBoot?.(spec);
    return plan;
  }, { servesShareTrees: true });
  return buildStage({ ...base, stage, workDir: path.join(scratch, `home-${mode}`), backend, shareFs: mode, keep: true });
}

test("a foreign-mode build stores the output, and the hash, of a host-directory build", async () => {
  const host = await build("host");
  let spec: BootSpec | undefined;
  const foreign = await build("foreign", (s) => (spec = s));
  assert.ok(spec?.rootTree && spec.outTree, "the backend was given trees");
  assert.equal(foreign.entry.record.outputSha256, host.entry.record.outputSha256);
  assert.deepEqual(foreign.entry.record.manifest, host.entry.record.manifest);
  assert.equal((await fs.stat(path.join(foreign.entry.outDir, "bin", "tool"))).mode & 0o7777, 0o755);
  assert.equal(await fs.readlink(path.join(foreign.entry.outDir, "bin", "cc")), "tool");
  assert.deepEqual((await fs.readdir(path.join(foreign.entry.outDir, "include"))).sort(), ["xt_CONNMARK.h", "xt_connmark.h"]);
  // The guest's root came from the tree: the recipe without stage.json, the seed as 0555.
  const seed = await spec!.rootTree!.lstat(["store", "0-tcc-seed"]);
  assert.equal(seed.mode & 0o777, 0o555);
  assert.ok((await spec!.rootTree!.readdir(["recipe"])).includes("smoke.c"));
  assert.ok(!(await spec!.rootTree!.readdir(["recipe"])).includes("stage.json"));
  assert.deepEqual(await fs.readdir(path.join(scratch, "home-foreign", "runs")), [], "the run directory (spill files included) is gone");
});

test("memory mode (native spill files) stores the same output", async () => {
  const host = await build("host");
  const memory = await build("memory");
  assert.equal(memory.entry.record.outputSha256, host.entry.record.outputSha256);
});

test("with an archive store a foreign-mode build stores out.tar (no out/) with the identity of a host-directory build", async () => {
  const host = await build("host");
  const stage = await loadStage(await copySmokeStage(path.join(scratch, "recipes-archive")), "0-smoke");
  const backend = new FakeBackend(() => plan, { servesShareTrees: true });
  const { entry } = await buildStage({ ...base, stage, workDir: path.join(scratch, "home-archive"), backend, shareFs: "foreign", store: "archive" });
  assert.deepEqual((await fs.readdir(entry.dir)).sort(), ["out.tar", "record.json"]);
  assert.equal(entry.record.outputSha256, host.entry.record.outputSha256);
  assert.equal((await archiveIdentity(entry.archive!)).sha256, host.entry.record.outputSha256);
  // The shared cache's blob, byte for byte.
  const packed = path.join(scratch, "host-packed.tar");
  await packOutput(host.entry.outDir, packed);
  assert.ok((await fs.readFile(entry.archive!)).equals(await fs.readFile(packed)));
});

test("a stage whose input is an archive entry gets it from the tar (auto: shares in memory), exec bit and symlink included", async () => {
  const home = path.join(scratch, "home-consumer");
  const recipes = await copySmokeStage(path.join(scratch, "recipes-consumer"));
  const producer = await buildStage({ ...base, stage: await loadStage(recipes, "0-smoke"), workDir: home, backend: new FakeBackend(() => plan, { servesShareTrees: true }), shareFs: "memory", store: "archive" });
  assert.ok(producer.entry.archive);
  const consumer = await loadStage(await copySmokeStage(recipes, { name: "0-smoke-reader", inputs: ["0-smoke"] }), "0-smoke-reader");
  const seen: string[] = [];
  const backend = new FakeBackend((spec) => {
    assert.ok(spec.rootTree, "the root is a tree");
    seen.push("root is a tree");
    return { out: { "ok.txt": "read\n" } };
  }, { servesShareTrees: true });
  const result = await buildStage({ ...base, stage: consumer, workDir: home, backend, dependencies: { "0-smoke": producer.entry }, store: "archive" });
  assert.deepEqual(seen, ["root is a tree"]);
  const root = backend.boots[0].rootTree!;
  assert.equal((await root.lstat(["store", "0-smoke", "bin", "tool"])).mode & 0o777, 0o755);
  assert.equal(await root.readlink(["store", "0-smoke", "bin", "cc"]), "tool");
  const file = await root.open(["store", "0-smoke", "bin", "tool"], 0);
  const bytes = new Uint8Array(64);
  const { bytesRead } = await file.read(bytes, 0, bytes.byteLength, 0);
  await file.close();
  assert.equal(Buffer.from(bytes.subarray(0, bytesRead)).toString(), "#!/bin/sh\n", "the bytes come from inside the tar");
  assert.deepEqual((await root.readdir(["store", "0-smoke", "include"])).sort(), ["xt_CONNMARK.h", "xt_connmark.h"]);
  assert.ok(result.entry.archive);
});

test("host-directory shares given an archive input fail with one line naming the entry and the fix, storing nothing", async () => {
  const home = path.join(scratch, "home-refused");
  const recipes = await copySmokeStage(path.join(scratch, "recipes-refused"));
  const producer = await buildStage({ ...base, stage: await loadStage(recipes, "0-smoke"), workDir: home, backend: new FakeBackend(() => plan, { servesShareTrees: true }), shareFs: "memory", store: "archive" });
  const consumer = await loadStage(await copySmokeStage(recipes, { name: "0-smoke-reader", inputs: ["0-smoke"] }), "0-smoke-reader");
  const backend = new FakeBackend({ out: { "never.txt": "x\n" } }, { servesShareTrees: true });
  await assert.rejects(buildStage({ ...base, stage: consumer, workDir: home, backend, dependencies: { "0-smoke": producer.entry }, shareFs: "host" }), (error: unknown) => {
    assert.ok(error instanceof ZilchError);
    assert.equal(error.line, `store entry ${path.basename(producer.entry.dir)} is kept as an archive (${producer.entry.archive}); --share-fs host needs it as a directory; rebuild it as one with ZILCHBOOT_STORE=tree zilchboot build 0-smoke --force, or use --share-fs memory`);
    return true;
  });
  assert.equal(backend.boots.length, 0, "nothing booted");
  assert.deepEqual((await fs.readdir(path.join(home, "store"))).filter((n) => !n.startsWith(".")), [path.basename(producer.entry.dir)]);
});

test("a failed foreign-mode run kept with --keep in an archive store leaves the guest's /out as out.tar, exactly", async () => {
  const home = path.join(scratch, "home-kept-failure");
  const stage = await loadStage(await copySmokeStage(path.join(scratch, "recipes-kept-failure")), "0-smoke");
  const backend = new FakeBackend({ ...plan, outcome: { kind: "status", status: 3 } }, { servesShareTrees: true });
  await assert.rejects(buildStage({ ...base, stage, workDir: home, backend, shareFs: "foreign", store: "archive", keep: true }), ZilchError);
  const [run] = await fs.readdir(path.join(home, "runs"));
  const entry = path.join(home, "runs", run, "entry");
  assert.deepEqual(await fs.readdir(entry), ["out.tar"], "the partial output is a tar, not a directory");
  const host = await build("host");
  assert.equal((await archiveIdentity(path.join(entry, "out.tar"))).sha256, host.entry.record.outputSha256, "names, modes and the symlink kept");
  assert.deepEqual((await fs.readdir(path.join(home, "store"))).filter((n) => !n.startsWith(".")), [], "nothing stored");
});
