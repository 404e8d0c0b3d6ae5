// Slow (4-10 min under TCG on 2 cores; 262 s with 1 vCPU on a quiet host), so `npm run test:slow`:
// stage 1 rebuilt in a fresh VM with another vCPU count must reproduce the locked output.
import assert from "node:assert/strict";
import os from "node:os";
import { after, before, test } from "node:test";
import { zilchboot } from "../test/helpers/child-env.js";
import { provisioned } from "../test/helpers/provisioned.js";
import { STAGE1, testHomeWithStage1, type Stage1Home } from "../test/helpers/stage1.js";

let home: Stage1Home;

before(async () => {
  home = await testHomeWithStage1("stage1-verify");
});

after(async () => {
  await home?.remove();
});

test("zilchboot verify 1-stage1 with another vCPU count reproduces the locked output", async () => {
  const { kernel, seed } = await provisioned();
  const cpus = os.availableParallelism() === 1 ? 2 : 1;
  const result = await zilchboot(["verify", STAGE1, "--cpus", String(cpus), "--kernel", kernel.path, "--seed", seed], home.env);
  assert.equal(result.exitCode, 0, result.stderr);
  assert.equal(result.stdout.trim(), `${STAGE1}: reproduced ${home.stage1.record.outputSha256} (matches recipes/lock.json)`);
});
