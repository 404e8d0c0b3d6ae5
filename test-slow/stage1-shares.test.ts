// Slow (minutes under TCG), so `npm run test:slow`: stage 1 rebuilt in QEMU with its shares served
// by our own 9p server over virtio-serial ports must reproduce the locked output, as it does over
// virtio-9p: with host directories (`--transport serial`, what QEMU without virtfs gets; over a unix
// socket and over TCP loopback, Windows' chardev), and with
// `--share-fs foreign` (MetaTree shares on a simulated NTFS-like file system, which QEMU reaches
// over virtio-serial only). Quick checks: test/vm/serial/serial-smoke.test.ts and
// test/vm/qemu-foreign.test.ts (0-smoke).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { zilchboot } from "../test/helpers/child-env.js";
import { provisioned } from "../test/helpers/provisioned.js";
import { STAGE1, testHomeWithStage1, type Stage1Home } from "../test/helpers/stage1.js";

let home: Stage1Home;

before(async () => {
  home = await testHomeWithStage1("stage1-shares");
});

after(async () => {
  await home?.remove();
});

// serial-tcp: the ports over TCP loopback, as on Windows; with foreign shares too, Windows' whole shape.
const variants = [
  ["--transport", "serial"],
  ["--transport", "serial-tcp"],
  ["--share-fs", "foreign"],
  ["--transport", "serial-tcp", "--share-fs", "foreign"],
];
for (const flags of variants) {
  test(`zilchboot verify 1-stage1 ${flags.join(" ")} reproduces the locked output`, async () => {
    const { kernel, seed } = await provisioned();
    const result = await zilchboot(["verify", STAGE1, ...flags, "--kernel", kernel.path, "--seed", seed], home.env);
    assert.equal(result.exitCode, 0, `${result.stdout}\n${result.stderr}`);
    assert.equal(result.stdout.trim(), `${STAGE1}: reproduced ${home.stage1.record.outputSha256} (matches recipes/lock.json)`);
  });
}
