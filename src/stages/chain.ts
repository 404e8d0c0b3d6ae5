// Builds a target stage after the stages it depends on (its "inputs"), each in its own fresh VM,
// reusing store entries whose input hash matches.
import type { GuestArch } from "../arch.js";
import { ZilchError } from "../errors.js";
import { provideStageSources, type ProvisionOptions } from "../provision.js";
import type { VmBackend } from "../vm/backend.js";
import { loadStage, type StageRecipe } from "./recipe.js";
import { findEntry, type StoreEntry } from "../store/store.js";
import { inputHash } from "./input-hash.js";
import { buildStage, stageInputs, type BuildStageOptions, type BuildStageResult } from "./run.js";

/** What a stage of another arch boots with instead of the x86_64 seed, kernel and backend. */
export type ArchTarget = Pick<BuildStageOptions, "seed" | "kernel" | "backend">;

export type ChainOptions = Omit<BuildStageOptions, "stage" | "sources" | "dependencies" | "force"> & {
  recipesRoot: string;
  /** Provides seed, kernel and backend for stages whose "arch" is not x86_64 (called once per arch). */
  archTarget?: (arch: GuestArch) => Promise<ArchTarget>;
  /** Overrides the arch's backend for one stage (vm/select.ts: v86 under `--backend v86|auto`). */
  backendFor?: (stage: StageRecipe) => Promise<VmBackend | undefined>;
  provision: ProvisionOptions;
  /** Rebuild the target even when cached (its inputs are still reused). */
  forceTarget?: boolean;
  onStageStart?: (stage: string) => void;
  onStageDone?: (stage: string, result: BuildStageResult, seconds: number) => void;
};

/** Seed, kernel and backend for one stage: its arch's, and the backend `backendFor` picks, if any
 *  (with the vCPUs that backend can give: v86 has one). */
export async function stageTarget(
  stage: StageRecipe,
  cpus: number,
  targetFor: (arch: GuestArch) => Promise<ArchTarget>,
  backendFor?: (stage: StageRecipe) => Promise<VmBackend | undefined>,
): Promise<Partial<ArchTarget> & { cpus: number }> {
  // Decide the backend first: a stage no backend can run fails before its kernel is provided.
  const backend = await backendFor?.(stage);
  const target = stage.arch === "x86_64" ? {} : await targetFor(stage.arch);
  if (!backend) return { ...target, cpus };
  return { ...target, backend, cpus: Math.min(cpus, backend.maxCpus ?? cpus) };
}

/** Builds `target` and, first, whatever it depends on. Returns the target's store entry. */
export async function buildChain(target: string, opts: ChainOptions): Promise<StoreEntry> {
  const done = new Map<string, StoreEntry>();
  const visiting: string[] = [];
  const targets = new Map<GuestArch, Promise<ArchTarget>>();
  const targetFor = (arch: GuestArch): Promise<ArchTarget> => {
    if (!opts.archTarget) {
      throw new ZilchError({ code: "USAGE", message: `this build cannot provide an ${arch} guest`, hint: "build it with the zilchboot CLI" });
    }
    let target = targets.get(arch);
    if (!target) targets.set(arch, (target = opts.archTarget(arch)));
    return target;
  };

  async function build(name: string): Promise<StoreEntry> {
    const finished = done.get(name);
    if (finished) return finished;
    if (visiting.includes(name)) {
      throw new ZilchError({ code: "PIN", message: `stage inputs form a cycle: ${[...visiting, name].join(" → ")}`, hint: "fix the inputs in the stage.json files" });
    }
    visiting.push(name);
    const stage = await loadStage(opts.recipesRoot, name);
    const dependencies: Record<string, StoreEntry> = {};
    for (const input of stage.inputs) dependencies[input] = await build(input);
    const sources = await provideStageSources(stage, opts.provision);
    const started = performance.now();
    opts.onStageStart?.(name);
    const force = opts.forceTarget === true && name === target;
    let chosen: Awaited<ReturnType<typeof stageTarget>>;
    try {
      chosen = await stageTarget(stage, opts.cpus, targetFor, opts.backendFor);
    } catch (error) {
      // No backend can run this stage (say an x86_64 input under --backend v86): that only matters
      // if it has to be built. A stored one is reused without booting anything.
      const stored = !force && await findEntry(opts.workDir, name, inputHash(await stageInputs({ ...opts, stage, sources, dependencies })));
      if (!stored) throw error;
      chosen = { cpus: opts.cpus };
    }
    const result = await buildStage({ ...opts, ...chosen, stage, sources, dependencies, force });
    opts.onStageDone?.(name, result, (performance.now() - started) / 1000);
    visiting.pop();
    done.set(name, result.entry);
    return result.entry;
  }

  return build(target);
}
