// Builds a target stage after the stages it depends on (its "inputs"), each in its own fresh VM,
// reusing store entries whose input hash matches.
import { ZilchError } from "../errors.js";
import { provideStageSources, type ProvisionOptions } from "../provision.js";
import type { StoreEntry } from "../store/store.js";
import type { VmBackend } from "../vm/backend.js";
import { loadStage, type StageRecipe } from "./recipe.js";
import { buildStage, type BuildStageOptions, type BuildStageResult } from "./run.js";

export type ChainOptions = Omit<BuildStageOptions, "stage" | "sources" | "dependencies" | "force"> & {
  recipesRoot: string;
  /** Chooses the backend per stage (vm/select.ts: `auto` depends on the stage); else `backend`. */
  backendFor?: (stage: StageRecipe) => Promise<VmBackend>;
  provision: ProvisionOptions;
  /** Rebuild the target even when cached (its inputs are still reused). */
  forceTarget?: boolean;
  onStageStart?: (stage: string) => void;
  onStageDone?: (stage: string, result: BuildStageResult, seconds: number) => void;
};

/** Builds `target` and, first, whatever it depends on. Returns the target's store entry. */
export async function buildChain(target: string, opts: ChainOptions): Promise<StoreEntry> {
  const done = new Map<string, StoreEntry>();
  const visiting: string[] = [];

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
    const backend = opts.backendFor ? await opts.backendFor(stage) : opts.backend;
    const result = await buildStage({ ...opts, stage, backend, sources, dependencies, force: opts.forceTarget === true && name === target });
    opts.onStageDone?.(name, result, (performance.now() - started) / 1000);
    visiting.pop();
    done.set(name, result.entry);
    return result.entry;
  }

  return build(target);
}
