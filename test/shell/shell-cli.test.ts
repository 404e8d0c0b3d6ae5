// `zilchboot shell` refusals that need no VM: clear one-line errors, exit codes, nothing left behind.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { zilchboot } from "../helpers/child-env.js";
import { provisioned, tempDir } from "../helpers/provisioned.js";

test("a shell in stage 1 with no stage 1 in the store says how to get one", async () => {
  const { kernel, seed } = await provisioned();
  const home = await tempDir("shell-empty");
  try {
    const result = await zilchboot(["shell", "1-stage1", "--web", "--kernel", kernel.path, "--seed", seed], { ZILCHBOOT_HOME: home });
    assert.equal(result.exitCode, 1);
    assert.match(result.stderr, /^zilchboot: a shell needs stage 1's init and ash, and the store holds no 1-stage1 output; build it once \('zilchboot build 1-stage1'\)/m);
    assert.equal(result.stdout, "", "no URL is printed when nothing can be served");
    assert.deepEqual(await fs.readdir(path.join(home, "runs")).catch(() => []), []);
  } finally {
    await fs.rm(home, { recursive: true, force: true });
  }
});

test("shell words are checked before anything is provisioned", async () => {
  const none = await zilchboot(["shell"]);
  assert.equal(none.exitCode, 2);
  assert.match(none.stderr, /shell takes one stage, got none/);
  const both = await zilchboot(["shell", "2a0-make", "--after", "--rerun", "--web"]);
  assert.equal(both.exitCode, 2);
  assert.match(both.stderr, /--rerun re-runs the stage on its inputs, --after shows its output/);
  const unknown = await zilchboot(["shell", "9-nope", "--web"]);
  assert.equal(unknown.exitCode, 2);
  assert.match(unknown.stderr, /9-nope/);
  const native = await zilchboot(["shell", "1-stage1", "--web", "--runner", "native"]);
  assert.equal(native.exitCode, 2);
  assert.match(native.stderr, /needs a VM/);
});
