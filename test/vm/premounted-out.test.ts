// A transport that mounts /out before the stage's PID 1 starts (9p over a serial port, for QEMU on
// Windows) must need no change to guest code: both PID 1s (zsys.h's, for seed-tcc stages, and stage
// 1's init, for shell stages) use the existing mount instead of mounting the share again. A fixture
// PID 1 (test/fixtures/premounted-out/premount.c) premounts /out, then hands over to each in turn.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { cacheDir, repoRoot } from "../../src/paths.js";
import { guestDir, provideKernel, provideSeed } from "../../src/provision.js";
import { assembleShare } from "../../src/stages/share.js";
import type { StoreEntry } from "../../src/store/store.js";
import { QemuBackend } from "../../src/vm/qemu.js";
import { tempDir } from "../helpers/home.js";
import { testHomeWithStage1, type Stage1Home } from "../helpers/stage1.js";

const options = { mirrors: [], progress: false, log: () => {}, verbose: false, jobs: os.availableParallelism() };
const cleanup: Array<() => Promise<void>> = [];
after(async () => {
  for (const step of cleanup) await step();
});

async function bootPremounted(mode: "zsys" | "init", stage1?: StoreEntry): Promise<{ status: string; log: string; out: string[] }> {
  const kernel = await provideKernel(undefined, options);
  const seed = await provideSeed(undefined, options);
  const runDir = await tempDir(`premounted-${mode}`);
  cleanup.push(() => fs.rm(runDir, { recursive: true, force: true }));
  const { rootDir, outDir } = await assembleShare(runDir, {
    seed: seed.path,
    recipeDir: path.join(repoRoot, "test", "fixtures", "premounted-out"),
    guestDir: guestDir(),
    sources: {},
    dependencies: stage1 ? { "1-stage1": stage1.outDir } : {},
  });
  const consoleLog = path.join(runDir, "console.log");
  const backend = new QemuBackend({ probeKernel: kernel.path, cacheDir: cacheDir(), accel: "tcg" });
  const run = await backend.boot({
    kernel: kernel.path, rootDir, outDir, init: "/store/0-tcc-seed",
    initArgs: ["-nostdinc", "-nostdlib", "-I/guest", "-run", "/recipe/premount.c", mode],
    memoryMiB: 256, cpus: 1, timeoutMs: 300_000, consoleLog,
  });
  const status = run.outcome.kind === "status" ? `status ${run.outcome.status}` : `${run.outcome.kind}`;
  return { status, log: await fs.readFile(consoleLog, "utf8"), out: (await fs.readdir(outDir)).sort() };
}

test("zsys.h's PID 1 uses an /out the transport already mounted", async () => {
  const { status, log, out } = await bootPremounted("zsys");
  assert.equal(status, "status 0", log);
  assert.match(log, /^zsys-out-mounts: 1$/m, "one mount of /out, not two");
  assert.deepEqual(out, ["zsys.txt"], "the output landed in the share");
});

test("stage 1's init uses an /out the transport already mounted", async () => {
  const home: Stage1Home = await testHomeWithStage1("premounted-init");
  cleanup.push(() => home.remove());
  const { status, log, out } = await bootPremounted("init", home.stage1);
  assert.equal(status, "status 0", log);
  assert.match(log, /^init-out-mounts: 1$/m, "one mount of /out, not two");
  assert.deepEqual(out, ["init.txt"]);
});
