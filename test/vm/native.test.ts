// The native runner (namespaces + chroot) runs the same share with the same hermeticity and output.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import { test } from "node:test";
import { recipesDir } from "../../src/paths.js";
import { guestDir } from "../../src/provision.js";
import { loadStage } from "../../src/stages/recipe.js";
import { buildStage } from "../../src/stages/run.js";
import { NativeBackend } from "../../src/vm/native.js";
import { copyLock } from "../helpers/home.js";
import { provisioned, tempDir } from "../helpers/provisioned.js";

test("the smoke stage runs natively with an empty env, only lo, read-only inputs and the locked output", async () => {
  const { kernel, seed } = await provisioned();
  const workDir = await tempDir("native");
  const stage = await loadStage(recipesDir(), "0-smoke");
  const result = await buildStage({
    stage, workDir, guestDir: guestDir(), seed, kernel: { path: kernel.path, identity: kernel.identity }, sources: {}, dependencies: {},
    backend: new NativeBackend(), cpus: 2, lockFile: await copyLock(workDir),
  });
  const log = await fs.readFile(result.logFile!, "utf8");
  assert.match(log, /^env count: 0$/m);
  assert.deepEqual(log.split("\n").filter((l) => l.startsWith("net: ")), ["net: lo"]);
  assert.match(log, /^write \/recipe\/smoke\.c: -30$/m);
  assert.match(result.entry.record.engine, /native/);
  await fs.rm(workDir, { recursive: true, force: true });
});
