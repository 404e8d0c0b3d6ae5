// `npm run bench`: speed figures, side by side (numbers, not verdicts; takes ~6 min under TCG).
// - QEMU start → PID 1 output for the smoke stage (goal ≤ 1.0 s under TCG);
// - stage 1 and 2a0 in QEMU vs natively (namespaces + chroot on the host kernel: the physical
//   limit), and their ratio;
// - one CPU-bound tcc compile (tinycc's tcc.c) natively vs in QEMU, boot and 9p excluded: the
//   emulator's own cost, to tell it apart from our overhead;
// - a no-op build of the cached chain (goal ≤ 1 s).
import os from "node:os";
import fs from "node:fs/promises";
import path from "node:path";
import { cacheDir, recipesDir, repoRoot, workDir } from "../src/paths.js";
import { guestDir, provideKernel, provideSeed, provideStageSources, type ProvisionOptions } from "../src/provision.js";
import { createHostSession } from "../src/host-session.js";
import { buildTarget } from "../src/stages/chain.js";
import { loadStage } from "../src/stages/recipe.js";
import { buildStage, type BuildStageOptions } from "../src/stages/run.js";
import type { VmBackend } from "../src/vm/backend.js";
import { NativeBackend } from "../src/vm/native.js";
import { QemuBackend } from "../src/vm/qemu.js";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const provision: ProvisionOptions = { mirrors: [], progress: false, log: () => {}, verbose: false, jobs: os.availableParallelism() };
const kernel = await provideKernel(undefined, provision);
const seed = await provideSeed(undefined, provision);
const qemu = new QemuBackend({ probeKernel: kernel.path, cacheDir: cacheDir() });
const native = new NativeBackend();
const scratch = await fs.mkdtemp(path.join(os.tmpdir(), "zilchboot-bench-"));
const base = (backend: VmBackend, cpus: number): Omit<BuildStageOptions, "stage" | "sources" | "dependencies"> => ({
  workDir: workDir(), guestDir: guestDir(), seed: seed.path, kernel: { path: kernel.path, identity: kernel.identity }, backend, cpus,
});
const session = createHostSession({ seedFile: seed.path, kernelFile: kernel.path, recipesRoot: recipesDir(), vm: { cpus: os.availableParallelism() } });

const smoke = await loadStage(recipesDir(), "0-smoke");
for (const cpus of [1, os.availableParallelism()]) {
  const toInit: number[] = [];
  const total: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const result = await buildStage({ ...base(qemu, cpus), stage: smoke, workDir: scratch, sources: {}, dependencies: {}, force: true });
    if (result.run?.initOutputMs != null) toInit.push(result.run.initOutputMs);
    if (result.run) total.push(result.run.durationMs);
  }
  console.log(`smoke, ${cpus} vCPU, ${await qemu.accelerator()}, ${RUNS} runs: QEMU start → PID 1 output median ${median(toInit)} ms (min ${Math.min(...toInit)}), whole VM run median ${median(total)} ms`);
}

// Stage 1 and 2a0: rebuilt (forced) in a scratch store; inputs come from the real store.
const stage1 = await buildTarget(session, "1-stage1");
for (const name of ["1-stage1", "2a0-make"]) {
  const stage = await loadStage(recipesDir(), name);
  const dependencies: Record<string, typeof stage1> = stage.inputs.includes("1-stage1") ? { "1-stage1": stage1 } : {};
  const sources = await provideStageSources(stage, provision);
  const times: Record<string, number> = {};
  for (const [label, backend] of [["native", native], ["qemu", qemu]] as const) {
    const started = performance.now();
    await buildStage({ ...base(backend, os.availableParallelism()), stage, workDir: path.join(scratch, label), sources, dependencies, force: true });
    times[label] = (performance.now() - started) / 1000;
  }
  console.log(`${name}: native ${times.native.toFixed(1)} s, QEMU ${times.qemu.toFixed(1)} s (${await qemu.accelerator()}), ratio ${(times.qemu / times.native).toFixed(1)}×`);
}

// One compile's cost: a run with COMPILES compiles minus a run with none, divided by COMPILES.
const COMPILES = Number(process.env.BENCH_COMPILES ?? 5);
const compileStage = await loadStage(path.join(repoRoot, "scripts", "bench-stages"), "9-tcc-compile");
const compileSources = await provideStageSources(compileStage, provision);
const perCompile: Record<string, number> = {};
for (const [label, backend] of [["native", native], ["qemu", qemu]] as const) {
  const seconds: number[] = [];
  for (const count of [0, COMPILES]) {
    const stage = { ...compileStage, args: [String(count)] };
    const run = await buildStage({ ...base(backend, 1), stage, workDir: path.join(scratch, `compile-${label}`), sources: compileSources, dependencies: { "1-stage1": stage1 }, force: true });
    seconds.push((run.run?.durationMs ?? NaN) / 1000);
  }
  perCompile[label] = (seconds[1] - seconds[0]) / COMPILES;
  console.log(`tcc.c compile, ${label}, 1 CPU: ${perCompile[label].toFixed(3)} s each (run with 0 compiles: ${seconds[0].toFixed(1)} s, with ${COMPILES}: ${seconds[1].toFixed(1)} s)`);
}
console.log(`tcc.c compile: QEMU/native ${(perCompile.qemu / perCompile.native).toFixed(1)}× (emulation cost alone)`);

const started = performance.now();
await buildTarget(session, "2a0-make");
console.log(`no-op build of the cached chain up to 2a0-make: ${Math.round(performance.now() - started)} ms (goal ≤ 1000 ms)`);
await fs.rm(scratch, { recursive: true, force: true });
