// Slow (minutes under TCG), so `npm run test:slow`: stage 1 rebuilt in QEMU with its shares served
// by our own 9p server over virtio-serial ports must reproduce the locked output, as it does over
// virtio-9p: with host directories (`--transport serial`, what QEMU without virtfs gets), and with
// `--share-fs foreign` (MetaTree shares on a simulated NTFS-like file system, which QEMU reaches
// over virtio-serial only). Quick checks: test/vm/serial/serial-smoke.test.ts and
// test/vm/qemu-foreign.test.ts (0-smoke).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { execa } from "execa";
import { CLI } from "../test/helpers/home.js";
import { provisioned } from "../test/helpers/provisioned.js";
import { STAGE1, testHomeWithStage1, type Stage1Home } from "../test/helpers/stage1.js";

let home: Stage1Home;

before(async () => {
  home = await testHomeWithStage1("stage1-shares");
});

after(async () => {
  await home?.remove();
});

for (const flags of [["--transport", "serial"], ["--share-fs", "foreign"]]) {
  test(`zilchboot verify 1-stage1 ${flags.join(" ")} reproduces the locked output`, async () => {
    const { kernel, seed } = await provisioned();
    const result = await execa("node", [CLI, "verify", STAGE1, ...flags, "--kernel", kernel.path, "--seed", seed], { reject: false, env: home.env });
    assert.equal(result.exitCode, 0, `${result.stdout}\n${result.stderr}`);
    assert.equal(result.stdout.trim(), `${STAGE1}: reproduced ${home.stage1.record.outputSha256} (matches recipes/lock.json)`);
  });
}
