// Stage 2a0 (GNU make built by stage 1's tcc and ash, then by itself) end to end in the VM.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { execa } from "execa";
import { recipesDir, repoRoot, workDir } from "../../src/paths.js";
import { findLeaks } from "../../src/store/leaks.js";
import { provisioned } from "../helpers/provisioned.js";

test("2a0-make builds on stage 1, matches its lock and leaks no build path", async () => {
  const { kernel, seed } = await provisioned();
  const result = await execa("node", [path.join(repoRoot, "dist", "src", "cli.js"), "build", "2a0-make", "--kernel", kernel.path, "--seed", seed], { reject: false });
  assert.equal(result.exitCode, 0, result.stderr);
  const lock = JSON.parse(await fs.readFile(path.join(recipesDir(), "lock.json"), "utf8")) as { stages: Record<string, { output: string }> };
  assert.match(result.stdout, new RegExp(`^2a0-make {2}out ${lock.stages["2a0-make"].output} `));
  const outDir = result.stdout.trim().split(/\s+/).at(-1)!;
  assert.ok(outDir.startsWith(path.join(workDir(), "store")));
  assert.ok(((await fs.stat(path.join(outDir, "bin", "make"))).mode & 0o111) !== 0);
  assert.deepEqual(await findLeaks(outDir, ["/tmp/make-4.4.1", "/tmp/first", "/sources/"]), []);
});
