// A VmBackend that boots nothing: it writes a canned /out and console, and returns the outcome the
// test asks for. It stands in for the VM where the VM is not what a test is about (store, lock,
// chain and failure-text logic), so those run in milliseconds. It fakes no emulator and no kernel:
// tests that prove guest behaviour boot real QEMU or v86.
import fs from "node:fs/promises";
import path from "node:path";
import type { BootSpec, ProbeResult, VmBackend, VmOutcome, VmRun } from "../../src/vm/backend.js";

export interface FakeRunPlan {
  /** Files written into /out: relative path → contents. */
  out?: Record<string, string>;
  /** Console lines, written to the console log as a guest would print them. */
  console?: string[];
  /** Default: the guest reported status 0. */
  outcome?: VmOutcome;
}

export class FakeBackend implements VmBackend {
  readonly name = "fake";
  /** Every spec this backend was asked to boot, in order. */
  readonly boots: BootSpec[] = [];

  constructor(private readonly plan: FakeRunPlan | ((spec: BootSpec) => FakeRunPlan) = {}) {}

  async probe(): Promise<ProbeResult> {
    return { usable: true, detail: "fake (no VM)" };
  }

  async boot(spec: BootSpec): Promise<VmRun> {
    this.boots.push(spec);
    const plan = typeof this.plan === "function" ? this.plan(spec) : this.plan;
    for (const [file, text] of Object.entries(plan.out ?? {})) {
      if (!spec.outDir) throw new Error("FakeBackend: the spec has no outDir to write into");
      await fs.mkdir(path.dirname(path.join(spec.outDir, file)), { recursive: true });
      await fs.writeFile(path.join(spec.outDir, file), text);
    }
    const lines = plan.console ?? [];
    await fs.mkdir(path.dirname(spec.consoleLog), { recursive: true });
    await fs.writeFile(spec.consoleLog, lines.map((line) => `${line}\n`).join(""));
    for (const line of lines) spec.onConsoleLine?.(line);
    return { outcome: plan.outcome ?? { kind: "status", status: 0 }, firstOutputMs: 0, initOutputMs: 0, durationMs: 0, consoleTail: lines.slice(-20), engine: "fake" };
  }
}
