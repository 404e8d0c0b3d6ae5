// Gathers what `zilchboot status` reports on, reading files only: every stage's plan (as `plan`
// computes it, without a cache), the lock, each stage's provenance statements and the store's
// records. Nothing is fetched, built or booted.
import { readProvenance } from "../provenance/provenance-log.js";
import type { ProvenanceStatement } from "../provenance/statement.js";
import { listEntries } from "../store/store.js";
import { gatherFacts, type FactsSource } from "./plan-facts.js";
import { planStages } from "./plan.js";
import { listStagesSync } from "./recipe.js";
import { chainStatus, type ChainStatus } from "./status.js";

/** Every stage folder in chain order: each after its inputs, ties in numeric name order (2a9
 *  before 2a10), which is the order the stages were written in. */
export function chainNames(recipesRoot: string): string[] {
  return listStagesSync(recipesRoot).sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
}

export async function gatherStatus(session: FactsSource): Promise<ChainStatus> {
  const facts = await gatherFacts(session, chainNames(session.recipesRoot));
  const provenance = new Map<string, ProvenanceStatement[]>();
  for (const { stage } of facts.stages) provenance.set(stage.name, await readProvenance(session.lockFile, stage.name));
  return chainStatus({
    steps: planStages(facts),
    lockedStages: Object.keys(facts.lock.stages),
    provenance,
    records: (await listEntries(session.home)).map((e) => e.record),
  });
}
