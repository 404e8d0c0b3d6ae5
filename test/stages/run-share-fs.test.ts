// runStage with the shares in memory (--share-fs memory|foreign), with a fake VM that writes /out
// through the tree it is given: the stored output and its hash are the ones a host-directory run
// gives, though the foreign run's spill files sat on a simulated NTFS-like file system.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { after, before, test } from "node:test";
import { guestDir } from "../../src/provision.js";
import { loadStage } from "../../src/stages/recipe.js";
import { buildStage, type BuildStageOptions } from "../../src/stages/run.js";
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
