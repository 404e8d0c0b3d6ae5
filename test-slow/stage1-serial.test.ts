// Slow (minutes under TCG), so `npm run test:slow`: stage 1 rebuilt with its shares over
// virtio-serial ports (our 9p server behind the pre-init's relays, what QEMU without virtfs gets)
// must reproduce the locked output, as it does over virtio-9p. The quick check of the transport is
// test/vm/serial/serial-smoke.test.ts.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { execa } from "execa";
import { CLI } from "../test/helpers/home.js";
import { provisioned } from "../test/helpers/provisioned.js";
import { STAGE1, testHomeWithStage1, type Stage1Home } from "../test/helpers/stage1.js";

let home: Stage1Home;

before(async () => {
  home = await testHomeWithStage1("stage1-serial");
});

after(async () => {
  await home?.remove();
});

test("zilchboot verify 1-stage1 --transport serial reproduces the locked output", async () => {
  const { kernel, seed } = await provisioned();
  const result = await execa("node", [CLI, "verify", STAGE1, "--transport", "serial", "--kernel", kernel.path, "--seed", seed], { reject: false, env: home.env });
  assert.equal(result.exitCode, 0, `${result.stdout}\n${result.stderr}`);
  assert.equal(result.stdout.trim(), `${STAGE1}: reproduced ${home.stage1.record.outputSha256} (matches recipes/lock.json)`);
});
