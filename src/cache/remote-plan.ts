// The cache's answers for `plan`, gathered at the edge so the planner stays pure. A stage's input
// hash depends on its inputs' outputs, and a remote entry names its output, so the answers come
// in rounds: plan, ask the cache about the stages it would build, plan again with the answers,
// until no new input hash appears (at most one round per stage).
import { planStages, type PlanFacts, type PlanStep, type RemoteEntry } from "../stages/plan.js";
import type { StageCache } from "./stage-cache.js";

export async function planWithCache(facts: PlanFacts, cache: StageCache, force?: string, opts: { quiet?: boolean } = {}): Promise<PlanStep[]> {
  const found = new Map<string, RemoteEntry | null>();
  const key = (stage: string, hash: string) => `${stage}/${hash}`;
  const withRemote: PlanFacts = { ...facts, remote: { find: (stage, hash) => found.get(key(stage, hash)) ?? null } };
  for (;;) {
    const steps = planStages(withRemote, force);
    const unasked = steps.filter((s) => s.verdict === "build" && s.inputHash !== null && !found.has(key(s.stage.name, s.inputHash)));
    if (unasked.length === 0 || !cache.available) return steps;
    for (const step of unasked) found.set(key(step.stage.name, step.inputHash!), await cache.lookup(step.stage.name, step.inputHash!, step.locked, opts));
  }
}
