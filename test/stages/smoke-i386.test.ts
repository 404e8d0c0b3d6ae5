// Boots the real i386 smoke stage (0-smoke-i386: 0-smoke's program, "arch": "i386") under
// qemu-system-i386 with the i386 kernel (bzImage) and the i386 seed: what the v86 backend runs.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { cacheDir, recipesDir } from "../../src/paths.js";
import { guestDir, provideKernel, provideSeed, type ProvisionOptions } from "../../src/provision.js";
import { loadStage } from "../../src/stages/recipe.js";
import { buildStage } from "../../src/stages/run.js";
import { QemuBackend } from "../../src/vm/qemu.js";
import { tempDir } from "../helpers/provisioned.js";

const options: ProvisionOptions = { mirrors: [], progress: false, log: () => {}, verbose: false, jobs: os.availableParallelism() };
let scratch: string | undefined;

after(async () => {
  if (scratch) await fs.rm(scratch, { recursive: true, force: true });
});

function lines(log: string, prefix: string): string[] {
  return log.split("\n").filter((l) => l.startsWith(prefix)).map((l) => l.slice(prefix.length));
}

test("the i386 smoke stage boots under qemu-system-i386 and runs 32-bit code from the i386 seed", async () => {
  const kernel = await provideKernel(undefined, options, "i386");
  const seed = await provideSeed(undefined, options, "i386");
  assert.match(kernel.path, /bzImage$/, "i386 boots the bzImage");
  scratch = await tempDir("smoke-i386");
  const stage = await loadStage(recipesDir(), "0-smoke-i386");
  assert.equal(stage.arch, "i386");
  assert.equal(stage.dir, path.join(recipesDir(), "0-smoke"), "the variant runs 0-smoke's files");

  const result = await buildStage({
    stage,
    workDir: scratch,
    guestDir: guestDir(),
    seed: seed.path,
    kernel: { path: kernel.path, identity: kernel.identity },
    sources: {},
    dependencies: {},
    backend: new QemuBackend({ arch: "i386", probeKernel: kernel.path, cacheDir: cacheDir() }),
    cpus: 1,
  });
  assert.deepEqual(result.run?.outcome, { kind: "status", status: 0 });
  assert.equal(await fs.readFile(path.join(result.entry.outDir, "hello.txt"), "utf8"), "hello from the seed tcc\n");
  assert.equal((result.entry.record.inputs as { arch?: string }).arch, "i386", "the arch is part of the input hash");
  assert.equal(result.entry.record.seedSha256, seed.sha256);

  const log = await fs.readFile(result.logFile!, "utf8");
  assert.deepEqual(lines(log, "word bits: "), ["32"]);
  assert.deepEqual(lines(log, "argv: "), ["exit=0"]);
  assert.deepEqual(lines(log, "env count: "), ["0"]);
  assert.deepEqual(lines(log, "net: "), ["lo"]);
  assert.deepEqual(lines(log, "write "), ["/recipe/smoke.c: -30", "/store/0-tcc-seed: -30", "/undeclared: -30"]);
  assert.match(log, /Linux version 6\.1\.\d+ .*#1 SMP/);
});
