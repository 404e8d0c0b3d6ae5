// The diverse double-compile in the VM, as a user runs it: `zilchboot ddc` builds 1-stage1-i386
// and 1-ddc under qemu-system-i386 (the i386 kernel and seed; TCG here, several minutes) and
// compares 1-ddc's x86_64 tcc with the locked stage 1's (taken from the tests' shared store). This
// runs on every host, whether or not its kernel executes i386 programs: the claim does not rest on
// the native runner (ddc-native.test.ts).
import assert from "node:assert/strict";
import path from "node:path";
import { after, test } from "node:test";
import { recipesDir } from "../../src/paths.js";
import { DDC_STAGE, DDC_TCC, REFERENCE_STAGE, REFERENCE_TCC } from "../../src/stages/ddc.js";
import { readLock } from "../../src/store/lock.js";
import { listEntries } from "../../src/store/store.js";
import { sha256File } from "../../src/sha256.js";
import { zilchboot } from "../helpers/child-env.js";
import { testHomeWithStage1, type Stage1Home } from "../helpers/stage1.js";

let home: Stage1Home | undefined;

after(async () => {
  await home?.remove();
});

test("in the i386 VM, the x86_64 tcc rebuilt from the i386 seed is byte-identical to stage 1's, and both i386 stages equal the lock", async () => {
  home = await testHomeWithStage1("ddc-vm");
  const run = await zilchboot(["ddc"], home.env, { stdin: "ignore" });
  assert.equal(run.exitCode, 0, run.stderr);
  const reference = await sha256File(path.join(home.stage1.outDir, REFERENCE_TCC));
  assert.match(run.stdout, new RegExp(`^x86_64 tcc from the i386 seed via a cross tcc \\(${DDC_STAGE}\\): ${reference}  `, "m"));
  assert.match(run.stdout, /^ddc: IDENTICAL/m);
  // Built here, in qemu-system-i386 (not pulled, not native), and recorded equal to the real lock.
  const entries = await listEntries(home.home);
  const locked = (await readLock(path.join(recipesDir(), "lock.json"))).stages;
  const recorded = (await readLock(home.lockFile)).stages;
  for (const stage of ["1-stage1-i386", DDC_STAGE]) {
    const entry = entries.find((e) => e.record.stage === stage);
    assert.ok(entry, `${stage} is in the store`);
    assert.match(entry.record.engine, /^qemu /, `${stage} ran in QEMU: ${entry.record.engine}`);
    assert.equal(entry.record.outputSha256, locked[stage]?.output, `${stage} equals the lock`);
    assert.equal(recorded[stage]?.output, locked[stage]?.output);
  }
  assert.equal(entries.filter((e) => e.record.stage === REFERENCE_STAGE).length, 1, "stage 1 was reused, not rebuilt");
  assert.equal(await sha256File(path.join(entries.find((e) => e.record.stage === DDC_STAGE)!.outDir, DDC_TCC)), reference);
});
