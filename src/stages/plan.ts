// `zilchboot plan`: what a build of TARGET would reuse or run, and why, without booting anything.
// Facts are gathered first (recipe hashes, store, lock); deciding is a pure function of them.
import { ZilchError } from "../errors.js";
import { listEntries } from "../store/store.js";
import { readLock, type LockFile } from "../store/lock.js";
import { hashTree } from "../store/tree-hash.js";
import type { GuestArch } from "../arch.js";
import { inputHash, recipeTreeHash } from "./input-hash.js";
import { loadStage, type StageRecipe } from "./recipe.js";

export interface StageFacts {
  stage: StageRecipe;
  recipeTree: string;
  /** pin name → sha256 */
  sources: Record<string, string>;
}

export interface PlannedStage {
  name: string;
  inputHash: string | null;
  action: "reuse" | "build";
  /** Output hash if known: from the store, else what the lock expects. */
  output: string | null;
  reason: string;
}

export interface PlanInputs {
  /** Stages in build order (inputs first). */
  stages: StageFacts[];
  guestTree: string;
  /** The x86_64 seed. */
  seedSha256: string;
  /** Seeds of other arches, for stages that declare one (unknown: the stage is planned as a build). */
  otherSeeds?: Partial<Record<GuestArch, string>>;
  lock: LockFile;
  /** inputHash → output hash of store entries that exist. */
  stored: (stage: string, inputHash: string) => string | null;
}

/** Pure: decides, stage by stage, whether the store already has the result. */
export function planStages(inputs: PlanInputs): PlannedStage[] {
  const outputs = new Map<string, string | null>();
  return inputs.stages.map(({ stage, recipeTree, sources }) => {
    const unknownInput = stage.inputs.find((name) => !outputs.get(name));
    if (unknownInput) {
      outputs.set(stage.name, inputs.lock.stages[stage.name]?.output ?? null);
      return { name: stage.name, inputHash: null, action: "build", output: outputs.get(stage.name) ?? null, reason: `input ${unknownInput} has no known output yet` };
    }
    const seedSha256 = stage.arch === "x86_64" ? inputs.seedSha256 : inputs.otherSeeds?.[stage.arch];
    if (seedSha256 === undefined) {
      outputs.set(stage.name, inputs.lock.stages[stage.name]?.output ?? null);
      return { name: stage.name, inputHash: null, action: "build", output: outputs.get(stage.name) ?? null, reason: `no ${stage.arch} seed known yet` };
    }
    const hash = inputHash({
      stage: stage.name,
      recipeTree,
      guestTree: inputs.guestTree,
      seedSha256,
      sources,
      dependencies: Object.fromEntries(stage.inputs.map((name) => [name, outputs.get(name)!])),
      ...(stage.arch === "x86_64" ? {} : { arch: stage.arch }),
    });
    const stored = inputs.stored(stage.name, hash);
    const locked = inputs.lock.stages[stage.name]?.output ?? null;
    outputs.set(stage.name, stored ?? locked);
    return stored
      ? { name: stage.name, inputHash: hash, action: "reuse", output: stored, reason: "the store has this input hash" }
      : { name: stage.name, inputHash: hash, action: "build", output: locked, reason: locked ? "not in the store (the lock says what it must produce)" : "not in the store, not in the lock" };
  });
}

/** Stages needed for `target`, inputs first. */
export async function stagesInOrder(recipesRoot: string, target: string): Promise<StageRecipe[]> {
  const ordered: StageRecipe[] = [];
  const visit = async (name: string, path: string[]): Promise<void> => {
    if (ordered.some((s) => s.name === name)) return;
    if (path.includes(name)) {
      throw new ZilchError({ code: "PIN", message: `stage inputs form a cycle: ${[...path, name].join(" → ")}`, hint: "fix the inputs in the stage.json files" });
    }
    const stage = await loadStage(recipesRoot, name);
    for (const input of stage.inputs) await visit(input, [...path, name]);
    ordered.push(stage);
  };
  await visit(target, []);
  return ordered;
}

export interface GatherOptions {
  recipesRoot: string;
  workDir: string;
  guestDir: string;
  seedSha256: string;
  otherSeeds?: Partial<Record<GuestArch, string>>;
  lockFile: string;
  /** pin name → sha256, from recipes/sources.json */
  pins: Record<string, string>;
}

export async function planChain(target: string, opts: GatherOptions): Promise<PlannedStage[]> {
  const stages = await stagesInOrder(opts.recipesRoot, target);
  const facts: StageFacts[] = [];
  for (const stage of stages) {
    facts.push({
      stage,
      recipeTree: await recipeTreeHash(stage),
      sources: Object.fromEntries(stage.sources.map((s) => [s.pin, opts.pins[s.pin] ?? "unknown-pin"])),
    });
  }
  const stored = new Map((await listEntries(opts.workDir)).map((e) => [`${e.record.stage}/${e.record.inputHash}`, e.record.outputSha256]));
  return planStages({
    stages: facts,
    guestTree: (await hashTree(opts.guestDir)).sha256,
    seedSha256: opts.seedSha256,
    otherSeeds: opts.otherSeeds,
    lock: await readLock(opts.lockFile),
    stored: (stage, hash) => stored.get(`${stage}/${hash}`) ?? null,
  });
}
