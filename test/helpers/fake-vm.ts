// A VmBackend that boots nothing: it writes a canned /out and console, and returns the outcome the
// test asks for. It stands in for the VM where the VM is not what a test is about (store, lock,
// chain and failure-text logic), so those run in milliseconds. It fakes no emulator and no kernel:
// tests that prove guest behaviour boot real QEMU or v86.
import fs from "node:fs/promises";
import path from "node:path";
import type { BootSpec, ProbeResult, VmBackend, VmOutcome, VmRun } from "../../src/vm/backend.js";
import { L_WRONLY, type ShareTree } from "../../src/vm/p9/share-tree.js";

export interface FakeRunPlan {
  /** Files written into /out: relative path → contents. */
  out?: Record<string, string>;
  /** Their modes (default 0644). */
  modes?: Record<string, number>;
  /** Symlinks made in /out: relative path → target. */
  links?: Record<string, string>;
  /** Console lines, written to the console log as a guest would print them. */
  console?: string[];
  /** Default: the guest reported status 0. */
  outcome?: VmOutcome;
}

export class FakeBackend implements VmBackend {
  readonly name = "fake";
  /** Every spec this backend was asked to boot, in order. */
  readonly boots: BootSpec[] = [];

  /** With `servesShareTrees`, /out is written through spec.outTree when the run has one, as our
   *  9p server would (--share-fs memory|foreign). */
  readonly servesShareTrees: boolean;

  constructor(private readonly plan: FakeRunPlan | ((spec: BootSpec) => FakeRunPlan) = {}, opts: { servesShareTrees?: boolean } = {}) {
    this.servesShareTrees = opts.servesShareTrees ?? false;
  }

  async probe(): Promise<ProbeResult> {
    return { usable: true, detail: "fake (no VM)" };
  }

  async boot(spec: BootSpec): Promise<VmRun> {
    this.boots.push(spec);
    const plan = typeof this.plan === "function" ? this.plan(spec) : this.plan;
    if (spec.outTree) await writeTree(spec.outTree, plan);
    else {
      for (const [file, text] of Object.entries(plan.out ?? {})) {
        if (!spec.outDir) throw new Error("FakeBackend: the spec has no outDir to write into");
        await fs.mkdir(path.dirname(path.join(spec.outDir, file)), { recursive: true });
        await fs.writeFile(path.join(spec.outDir, file), text, { mode: plan.modes?.[file] ?? 0o644 });
      }
      for (const [file, target] of Object.entries(plan.links ?? {})) await fs.symlink(target, path.join(spec.outDir!, file));
    }
    const lines = plan.console ?? [];
    await fs.mkdir(path.dirname(spec.consoleLog), { recursive: true });
    await fs.writeFile(spec.consoleLog, lines.map((line) => `${line}\n`).join(""));
    for (const line of lines) spec.onConsoleLine?.(line);
    return { outcome: plan.outcome ?? { kind: "status", status: 0 }, firstOutputMs: 0, initOutputMs: 0, durationMs: 0, consoleTail: lines.slice(-20), engine: "fake" };
  }
}

/** Writes the plan's /out through a share tree, making parent directories as the guest would. */
async function writeTree(tree: ShareTree, plan: FakeRunPlan): Promise<void> {
  const parents = async (names: string[]) => {
    for (let i = 1; i < names.length; i++) await tree.mkdir(names.slice(0, i), 0o755).catch(() => undefined);
  };
  for (const [file, text] of Object.entries(plan.out ?? {})) {
    const names = file.split("/");
    await parents(names);
    const handle = await tree.create(names, L_WRONLY, plan.modes?.[file] ?? 0o644);
    const bytes = new TextEncoder().encode(text);
    await handle.write(bytes, 0, bytes.byteLength, 0);
    await handle.close();
  }
  for (const [file, target] of Object.entries(plan.links ?? {})) {
    await parents(file.split("/"));
    await tree.symlink(file.split("/"), target);
  }
}
