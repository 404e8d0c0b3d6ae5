// Slow (minutes under TCG), so `npm run test:slow`: x86_64 stage 1 rebuilt in QEMU with
// `--share-fs foreign` (MetaTree shares on a simulated NTFS-like file system, served by our 9p
// server over virtio-serial) must reproduce the locked output. The quick check is
// test/vm/qemu-foreign.test.ts (0-smoke).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { execa } from "execa";
import { CLI } from "../test/helpers/home.js";
import { provisioned } from "../test/helpers/provisioned.js";
import { STAGE1, testHomeWithStage1, type Stage1Home } from "../test/helpers/stage1.js";

let home: Stage1Home;

before(async () => {
  home = await testHomeWithStage1("stage1-foreign");
});

after(async () => {
  await home?.remove();
});

test("zilchboot verify 1-stage1 --share-fs foreign reproduces the locked output", async () => {
  const { kernel, seed } = await provisioned();
  const result = await execa("node", [CLI, "verify", STAGE1, "--share-fs", "foreign", "--kernel", kernel.path, "--seed", seed], { reject: false, env: home.env });
  assert.equal(result.exitCode, 0, `${result.stdout}\n${result.stderr}`);
  assert.equal(result.stdout.trim(), `${STAGE1}: reproduced ${home.stage1.record.outputSha256} (matches recipes/lock.json)`);
});
