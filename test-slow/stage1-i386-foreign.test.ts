// Slow (384 s under v86 on a quiet host, far more on a loaded one), so `npm run test:slow`: stage 1
// on the i386 guest under v86 with foreign-mode shares (`--share-fs foreign`: MetaTree root and
// /out, spill files on a simulated NTFS-like file system) must give the locked 1-stage1-i386
// output: binaries with exec bits, busybox's symlinks, everything the stage writes to /out, on a
// host file system that has none of them. The x86_64 1-stage1 needs QEMU to serve the trees
// (test/vm/qemu-foreign.test.ts, skipped until the serial transport lands).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import path from "node:path";
import { readLock } from "../src/store/lock.js";
import { zilchboot } from "../test/helpers/child-env.js";
import { testHome, type TestHome } from "../test/helpers/home.js";
import { repoLockedOutput } from "../test/helpers/repo-lock.js";

let home: TestHome;

before(async () => {
  home = await testHome("stage1-i386-foreign");
});

after(async () => {
  await home?.remove();
});

test("1-stage1-i386 under v86 with foreign-mode shares reproduces the locked output", { timeout: 4 * 3600_000 }, async () => {
  const locked = await repoLockedOutput("1-stage1-i386");
  const result = await zilchboot(["build", "1-stage1-i386", "--backend", "v86", "--share-fs", "foreign", "--json", path.join(home.home, "report.json")], home.env);
  assert.equal(result.exitCode, 0, result.stderr);
  assert.equal((await readLock(home.lockFile)).stages["1-stage1-i386"].output, locked);
  assert.match(result.stderr, /shares in foreign mode/);
});
