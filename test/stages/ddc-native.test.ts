// The diverse double-compile on the native runner (namespaces + chroot; ~1-2 min where it runs):
// 1-stage1-i386 and 1-ddc run their i386 programs on the host kernel, which many hosts' kernels do
// not execute (no IA32 emulation). So what this test asserts depends on one fact of the host, the
// probe's verdict, checked here against the kernel itself:
// - a host that runs i386 programs: 1-stage1 from the x86_64 seed, 1-stage1-i386 from the i386
//   seed, then 1-ddc, each checked against recipes/lock.json, and the verdict must be IDENTICAL;
// - a host that does not: `zilchboot ddc --runner native` refuses in one line, before building
//   anything. The DDC claim itself is then proven in the i386 VM (ddc-vm.test.ts).
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { after, test } from "node:test";
import { recipesDir } from "../../src/paths.js";
import { createHostSession } from "../../src/host-session.js";
import { buildTarget } from "../../src/stages/chain.js";
import { DDC_STAGE, REFERENCE_STAGE, ddcVerdict } from "../../src/stages/ddc.js";
import { probeHostExec } from "../../src/vm/host-exec.js";
import { zilchboot } from "../helpers/child-env.js";
import { copyLock, testHome, type TestHome } from "../helpers/home.js";
import { tempDir } from "../helpers/provisioned.js";
import { kernelRunsI386 } from "../helpers/run-i386.js";

let workDir: string | undefined;
let home: TestHome | undefined;

after(async () => {
  if (workDir) await fs.rm(workDir, { recursive: true, force: true });
  await home?.remove();
});

test("natively, the x86_64 tcc rebuilt from the i386 seed is byte-identical to stage 1's, or the host's refusal is one line", async () => {
  workDir = await tempDir("ddc-native");
  const verdict = await probeHostExec("i386");
  assert.equal(verdict.runs, await kernelRunsI386(workDir), `the probe's verdict matches the kernel: ${verdict.detail}`);
  if (!verdict.runs) {
    home = await testHome("ddc-native-refusal");
    const run = await zilchboot(["ddc", "--runner", "native"], { ...home.env, ZILCHBOOT_DOWNLOADS: path.join(workDir, "cache") }, { stdin: "ignore" });
    assert.equal(run.exitCode, 1, run.stderr);
    const errors = run.stderr.split("\n").filter((line) => line.startsWith("zilchboot:"));
    assert.deepEqual(errors, [`zilchboot: --runner native cannot build 1-stage1-i386, an i386 stage: ${verdict.detail}; build it in the i386 VM instead: leave out --runner native (qemu-system-i386, installed by scripts/setup-host.sh), or \`--backend v86\``]);
    assert.deepEqual(await fs.readdir(home.home), [], "nothing was built, not even the x86_64 reference");
    return;
  }
  // The native runner boots nothing: no kernel is provided. New outputs go to a copy of the lock.
  const session = createHostSession({ runner: "native", home: workDir, recipesRoot: recipesDir(), lockFile: await copyLock(workDir), vm: { cpus: 2 } });
  const reference = await buildTarget(session, REFERENCE_STAGE);
  const ddc = await buildTarget(session, DDC_STAGE);
  const ddcResult = await ddcVerdict(ddc.outDir, reference.outDir);
  assert.equal(ddcResult.firstDifference, null, `the two x86_64 tcc binaries first differ at byte ${ddcResult.firstDifference}`);
  assert.equal(ddcResult.ddcSha256, ddcResult.referenceSha256);
  const i386 = (await fs.readdir(path.join(workDir, "store"))).filter((name) => name.startsWith("1-stage1-i386-"));
  assert.equal(i386.length, 1, "the i386 stage 1 was built on the way");
});
