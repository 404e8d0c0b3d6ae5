// The diverse double-compile end to end on the native runner (namespaces + chroot; ~1-2 min):
// 1-stage1 from the x86_64 seed, 1-stage1-i386 from the i386 seed, then 1-ddc, each checked
// against recipes/lock.json, and the verdict must be IDENTICAL. The same chain under
// qemu-system-i386 (`zilchboot ddc`, several minutes of TCG) is run by hand, not in CI.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { after, test } from "node:test";
import { recipesDir } from "../../src/paths.js";
import { createHostSession } from "../../src/host-session.js";
import { buildTarget } from "../../src/stages/chain.js";
import { DDC_STAGE, REFERENCE_STAGE, ddcVerdict } from "../../src/stages/ddc.js";
import { copyLock } from "../helpers/home.js";
import { tempDir } from "../helpers/provisioned.js";

let workDir: string | undefined;

after(async () => {
  if (workDir) await fs.rm(workDir, { recursive: true, force: true });
});

test("natively, the x86_64 tcc rebuilt from the i386 seed is byte-identical to stage 1's", async () => {
  workDir = await tempDir("ddc-native");
  // The native runner boots nothing: no kernel is provided. New outputs go to a copy of the lock.
  const session = createHostSession({ runner: "native", home: workDir, recipesRoot: recipesDir(), lockFile: await copyLock(workDir), vm: { cpus: 2 } });
  const reference = await buildTarget(session, REFERENCE_STAGE);
  const ddc = await buildTarget(session, DDC_STAGE);
  const verdict = await ddcVerdict(ddc.outDir, reference.outDir);
  assert.equal(verdict.firstDifference, null, `the two x86_64 tcc binaries first differ at byte ${verdict.firstDifference}`);
  assert.equal(verdict.ddcSha256, verdict.referenceSha256);
  const i386 = (await fs.readdir(path.join(workDir, "store"))).filter((name) => name.startsWith("1-stage1-i386-"));
  assert.equal(i386.length, 1, "the i386 stage 1 was built on the way");
});
