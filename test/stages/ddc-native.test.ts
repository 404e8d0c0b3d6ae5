// The diverse double-compile end to end on the native runner (namespaces + chroot; ~1-2 min):
// 1-stage1 from the x86_64 seed, 1-stage1-i386 from the i386 seed, then 1-ddc, each checked
// against recipes/lock.json, and the verdict must be IDENTICAL. The same chain under
// qemu-system-i386 (`zilchboot ddc`, several minutes of TCG) is run by hand, not in CI.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { recipesDir } from "../../src/paths.js";
import { guestDir, provideSeed, type ProvisionOptions } from "../../src/provision.js";
import { buildChain } from "../../src/stages/chain.js";
import { DDC_STAGE, REFERENCE_STAGE, ddcVerdict } from "../../src/stages/ddc.js";
import { NativeBackend } from "../../src/vm/native.js";
import { copyLock } from "../helpers/home.js";
import { tempDir } from "../helpers/provisioned.js";

const provision: ProvisionOptions = { mirrors: [], progress: false, log: () => {}, verbose: false, jobs: os.availableParallelism() };
// The native runner boots nothing: no kernel is involved.
const noKernel = { path: "(native runner: no kernel)", identity: { native: "true" } };
let workDir: string | undefined;

after(async () => {
  if (workDir) await fs.rm(workDir, { recursive: true, force: true });
});

test("natively, the x86_64 tcc rebuilt from the i386 seed is byte-identical to stage 1's", async () => {
  workDir = await tempDir("ddc-native");
  const seed = await provideSeed(undefined, provision);
  const options = {
    recipesRoot: recipesDir(),
    provision,
    workDir,
    guestDir: guestDir(),
    seed: seed.path,
    kernel: noKernel,
    backend: new NativeBackend(),
    cpus: 2,
    lockFile: await copyLock(workDir),
    archTarget: async () => ({ seed: (await provideSeed(undefined, provision, "i386")).path, kernel: noKernel, backend: new NativeBackend() }),
  };
  const reference = await buildChain(REFERENCE_STAGE, options);
  const ddc = await buildChain(DDC_STAGE, options);
  const verdict = await ddcVerdict(ddc.outDir, reference.outDir);
  assert.equal(verdict.firstDifference, null, `the two x86_64 tcc binaries first differ at byte ${verdict.firstDifference}`);
  assert.equal(verdict.ddcSha256, verdict.referenceSha256);
  const i386 = (await fs.readdir(path.join(workDir, "store"))).filter((name) => name.startsWith("1-stage1-i386-"));
  assert.equal(i386.length, 1, "the i386 stage 1 was built on the way");
});
