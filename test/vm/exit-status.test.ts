// The other half of test/vm/guest-protocol.test.ts: real guests (the smoke program as PID 1, its
// status given as `exit=N`) under QEMU, v86 and the native runner must report the statuses at the
// edges of the protocol exactly: below, at and above the port byte's limit of 126, and 255.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import type { GuestArch } from "../../src/arch.js";
import { guestDir, provideKernel, provideSeed } from "../../src/provision.js";
import { recipesDir } from "../../src/paths.js";
import { assembleShare } from "../../src/stages/share.js";
import type { VmBackend } from "../../src/vm/backend.js";
import { NativeBackend } from "../../src/vm/native.js";
import { QemuBackend } from "../../src/vm/qemu.js";
import { V86Backend } from "../../src/vm/v86.js";
import { cacheDir } from "../../src/paths.js";
import { tempDir } from "../helpers/provisioned.js";

const EDGES = [0, 1, 125, 126, 127, 128, 139, 254, 255];
const options = { mirrors: [], progress: false, log: () => {}, verbose: false, jobs: os.availableParallelism() };

async function statuses(backend: VmBackend, arch: GuestArch, wanted: number[]): Promise<Array<number | string>> {
  const kernel = await provideKernel(undefined, options, arch);
  const seed = await provideSeed(undefined, options, arch);
  const scratch = await tempDir(`exit-${backend.name}`);
  const seen: Array<number | string> = [];
  try {
    for (const status of wanted) {
      const runDir = path.join(scratch, String(status));
      const { rootDir, outDir } = await assembleShare(runDir, { seed: seed.path, recipeDir: path.join(recipesDir(), "0-smoke"), guestDir: guestDir(), sources: {}, dependencies: {} });
      const run = await backend.boot({
        kernel: kernel.path, rootDir, outDir, init: "/store/0-tcc-seed",
        initArgs: ["-nostdinc", "-nostdlib", "-I/guest", "-run", "/recipe/smoke.c", `exit=${status}`],
        memoryMiB: 256, cpus: 1, timeoutMs: 300_000, consoleLog: path.join(runDir, "console.log"),
      });
      seen.push(run.outcome.kind === "status" ? run.outcome.status : `${run.outcome.kind}`);
    }
  } finally {
    await fs.rm(scratch, { recursive: true, force: true });
  }
  return seen;
}

test("QEMU reports the guest's exit statuses exactly, 127 and above included", async () => {
  const backend = new QemuBackend({ probeKernel: (await provideKernel(undefined, options)).path, cacheDir: cacheDir(), accel: "tcg" });
  assert.deepEqual(await statuses(backend, "x86_64", EDGES), EDGES);
});

test("v86 reports the guest's exit statuses exactly, 127 and above included", async () => {
  const wanted = [0, 126, 127, 255];
  assert.deepEqual(await statuses(new V86Backend(), "i386", wanted), wanted);
});

test("the native runner reports the stage's exit statuses exactly", async () => {
  assert.deepEqual(await statuses(new NativeBackend(), "x86_64", EDGES), EDGES);
});
