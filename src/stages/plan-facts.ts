// Gathers what the planner decides on, reading files only: the stages a target needs (inputs
// first), their recipe hashes and source pins, vm/guest's hash, the seeds' sha256 where known
// without building them, the lock and the store's index. Nothing is fetched, built or booted.
import type { GuestArch } from "../arch.js";
import { ZilchError } from "../errors.js";
import { readLock } from "../store/lock.js";
import { listEntries, type StoreEntry } from "../store/store.js";
import { hashTree } from "../store/tree-hash.js";
import { recipeTreeHash } from "./input-hash.js";
import type { PlanFacts, StageFacts, StoreIndex } from "./plan.js";
import { loadStage, type StageRecipe } from "./recipe.js";
import { seesSeedAndGuest } from "./runners.js";
import type { Session } from "./session.js";

/** Stages needed for `target` (or for each of several, in the order given), inputs first; a cycle
 *  is one clear error. */
export async function stagesInOrder(recipesRoot: string, target: string | string[]): Promise<StageRecipe[]> {
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
  for (const name of typeof target === "string" ? [target] : target) await visit(name, []);
  return ordered;
}

/** The store as it is now; `add` records what a run just committed. */
export async function storeIndex(home: string): Promise<StoreIndex & { add(entry: StoreEntry): void }> {
  const byKey = new Map((await listEntries(home)).map((e) => [`${e.record.stage}/${e.record.inputHash}`, e]));
  return {
    find: (stage, hash) => byKey.get(`${stage}/${hash}`) ?? null,
    add: (entry) => void byKey.set(`${entry.record.stage}/${entry.record.inputHash}`, entry),
  };
}

export type FactsSource = Pick<Session, "recipesRoot" | "home" | "guestDir" | "lockFile"> & {
  provision: Pick<Session["provision"], "pins" | "knownSeedSha256">;
};

export async function gatherFacts(session: FactsSource, target: string | string[]): Promise<PlanFacts & { store: Awaited<ReturnType<typeof storeIndex>> }> {
  const ordered = await stagesInOrder(session.recipesRoot, target);
  // recipes/sources.json is read only when a stage declares sources.
  const pins = ordered.some((stage) => stage.sources.length > 0) ? await session.provision.pins() : {};
  const stages: StageFacts[] = [];
  for (const stage of ordered) {
    const sources = Object.fromEntries(stage.sources.map((s) => {
      const sha256 = pins[s.pin];
      if (sha256 === undefined) {
        throw new ZilchError({ code: "PIN", message: `stage ${stage.name} uses source ${JSON.stringify(s.pin)}, which recipes/sources.json does not pin`, hint: `pin it there or fix ${stage.name}'s "sources"` });
      }
      return [s.pin, sha256];
    }));
    stages.push({ stage, recipeTree: await recipeTreeHash(stage), sources });
  }
  const seeing = ordered.filter(seesSeedAndGuest);
  const seeds: Partial<Record<GuestArch, string | null>> = {};
  for (const stage of seeing) if (!(stage.arch in seeds)) seeds[stage.arch] = await session.provision.knownSeedSha256(stage.arch);
  return {
    stages,
    guestTree: seeing.length > 0 ? (await hashTree(session.guestDir)).sha256 : null,
    seeds,
    lock: await readLock(session.lockFile),
    store: await storeIndex(session.home),
  };
}
