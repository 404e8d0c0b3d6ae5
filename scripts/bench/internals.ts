// The bench's one reach into zilchboot's internals: the accelerator choice with a cached verdict
// has no command of its own (`probe` also provisions the kernel and probes v86, which the bench
// times separately). Keep every other figure on the CLI.
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { acceleratorCandidates, chooseAccelerator } from "../../src/vm/accel.js";

/**
 * Times the accelerator choice in a fresh verdict cache: once probing (the real candidates, as a
 * first build would), then `runs` times with that verdict cached.
 */
export async function timeAcceleratorChoice(kernel: string, runs: number): Promise<{ accel: string; candidates: string[]; freshMs: number; cachedMs: number[] }> {
  const cacheDir = await fs.mkdtemp(path.join(os.tmpdir(), "zilchboot-bench-accel-"));
  try {
    const options = { qemu: "qemu-system-x86_64", kernel, cacheDir, candidates: await acceleratorCandidates(), probeTimeoutMs: 8000 };
    let started = performance.now();
    const { accel } = await chooseAccelerator(options);
    const freshMs = performance.now() - started;
    const cachedMs: number[] = [];
    for (let i = 0; i < runs; i++) {
      started = performance.now();
      await chooseAccelerator(options);
      cachedMs.push(performance.now() - started);
    }
    return { accel, candidates: options.candidates, freshMs, cachedMs };
  } finally {
    await fs.rm(cacheDir, { recursive: true, force: true });
  }
}
