// `npm run bench`: boot-time figures for the QEMU runner (not a test: numbers, not verdicts).
// Goal from the foundation issue: QEMU start → PID 1 running ≤ 1.0 s under TCG.
import os from "node:os";
import fs from "node:fs/promises";
import path from "node:path";
import { cacheDir, recipesDir } from "../src/paths.js";
import { guestDir, provideKernel, provideSeed, type ProvisionOptions } from "../src/provision.js";
import { loadStage } from "../src/stages/recipe.js";
import { buildStage } from "../src/stages/run.js";
import { QemuBackend } from "../src/vm/qemu.js";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const options: ProvisionOptions = { mirrors: [], progress: false, log: () => {}, verbose: false, jobs: os.availableParallelism() };
const kernel = await provideKernel(undefined, options);
const seed = await provideSeed(undefined, options);
const backend = new QemuBackend({ probeKernel: kernel.path, cacheDir: cacheDir() });
const stage = await loadStage(recipesDir(), "0-smoke");
const workDir = await fs.mkdtemp(path.join(os.tmpdir(), "zilchboot-bench-"));

for (const cpus of [1, os.availableParallelism()]) {
  const toInit: number[] = [];
  const total: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const result = await buildStage({
      stage, workDir, guestDir: guestDir(), seed: seed.path, kernel: { path: kernel.path, identity: kernel.identity },
      sources: {}, dependencies: {}, backend, cpus, force: true,
    });
    if (result.run?.initOutputMs != null) toInit.push(result.run.initOutputMs);
    if (result.run) total.push(result.run.durationMs);
  }
  console.log(`smoke stage, ${cpus} vCPU, ${await backend.accelerator()}, ${RUNS} runs: ` +
    `QEMU start → PID 1 output median ${median(toInit)} ms (min ${Math.min(...toInit)}), ` +
    `whole VM run median ${median(total)} ms (min ${Math.min(...total)})`);
}
await fs.rm(workDir, { recursive: true, force: true });
