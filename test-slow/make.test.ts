// Slow (~2 min under TCG, more on busy cores), so `npm run test:slow`: stage 2a0 (GNU make built by
// stage 1's tcc and ash, then by itself) end to end in the VM, in a temp home with stage 1.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { after, before, test } from "node:test";
import { findLeaks } from "../src/store/leaks.js";
import { zilchboot } from "../test/helpers/child-env.js";
import { provisioned } from "../test/helpers/provisioned.js";
import { repoLockedOutput } from "../test/helpers/repo-lock.js";
import { testHomeWithStage1, type Stage1Home } from "../test/helpers/stage1.js";

let home: Stage1Home;

before(async () => {
  home = await testHomeWithStage1("make");
});

after(async () => {
  await home?.remove();
});

test("2a0-make builds on stage 1, matches its lock and leaks no build path", async () => {
  const locked = await repoLockedOutput("2a0-make");
  const { kernel, seed } = await provisioned();
  const result = await zilchboot(["build", "2a0-make", "--kernel", kernel.path, "--seed", seed], home.env);
  assert.equal(result.exitCode, 0, result.stderr);
  assert.match(result.stdout, new RegExp(`^2a0-make {2}out ${locked} `));
  const outDir = result.stdout.trim().split(/\s+/).at(-1)!;
  assert.ok(outDir.startsWith(path.join(home.home, "store")));
  assert.ok(((await fs.stat(path.join(outDir, "bin", "make"))).mode & 0o111) !== 0);
  assert.deepEqual(await findLeaks(outDir, ["/tmp/make-4.4.1", "/tmp/first", "/sources/"]), []);
});
