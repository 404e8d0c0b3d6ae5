// The planner: the one place that assembles a stage's input hash and decides whether the store
// already has its output. `plan` prints its verdicts; `build`, `verify` and `shell` execute them
// step by step (chain.ts), calling decideStep again with the outputs they actually got.
import type { GuestArch } from "../arch.js";
import type { LockFile } from "../store/lock.js";
import type { StoreEntry } from "../store/store.js";
import { inputHash, type StageInputs } from "./input-hash.js";
import type { StageRecipe } from "./recipe.js";
import { seesSeedAndGuest } from "./runners.js";

/** What is known about one stage before anything runs. */
export interface StageFacts {
  stage: StageRecipe;
  recipeTree: string;
  /** pin name → sha256 */
  sources: Record<string, string>;
}

/** The store's entries, looked up by stage and input hash. */
export interface StoreIndex {
  find(stage: string, inputHash: string): StoreEntry | null;
}

/** Entries a shared cache holds that this run would accept (src/cache gathers them at the edge,
 *  so the planner stays pure): the output the entry names, and why it is trusted. */
export interface RemoteIndex {
  find(stage: string, inputHash: string): RemoteEntry | null;
}

export interface RemoteEntry {
  output: string;
  why: string;
}

export interface PlanFacts {
  /** Stages in build order (inputs first); the target is last. */
  stages: StageFacts[];
  /** sha256 of vm/guest; null when no stage sees it. */
  guestTree: string | null;
  /** Seed sha256 per arch; null or absent: unknown until the seed is provided. */
  seeds: Partial<Record<GuestArch, string | null>>;
  lock: LockFile;
  store: StoreIndex;
  /** Absent: no cache configured (build and verify pull at the step itself). */
  remote?: RemoteIndex;
}

/** `reuse`: the local store has it (printed "local"); `remote`: the shared cache does; `skip`: no
 *  stage that is built here needs it (those that use it come from the store or the cache). */
export type Verdict = "reuse" | "remote" | "build" | "unknown-until-inputs-built" | "skip";

export interface PlanStep {
  stage: StageRecipe;
  /** null while an input's output (or the seed) is unknown. */
  inputs: StageInputs | null;
  inputHash: string | null;
  verdict: Verdict;
  reason: string;
  /** The store entry a reuse step takes. */
  entry: StoreEntry | null;
  /** The output the lock expects, if any. */
  locked: string | null;
  /** The cache's entry a remote step takes. */
  remote?: RemoteEntry;
}

/** An earlier stage's output: from the store, just built, or only promised by the lock. */
export interface KnownOutput {
  sha256: string;
  from: "store" | "built" | "lock" | "remote";
}

/** The one assembly of a stage's input hash fields. */
export function stageInputs(facts: StageFacts, guestTree: string | null, seedSha256: string | null, outputs: Record<string, string>): StageInputs {
  const { stage } = facts;
  const seesSeed = seesSeedAndGuest(stage);
  return {
    stage: stage.name,
    recipeTree: facts.recipeTree,
    guestTree: seesSeed ? guestTree : null,
    seedSha256: seesSeed ? seedSha256 : null,
    sources: facts.sources,
    dependencies: Object.fromEntries(stage.inputs.map((name) => [name, outputs[name]])),
    ...(stage.arch === "x86_64" ? {} : { arch: stage.arch }),
  };
}

/** Pure: one stage's verdict, given what is known about its inputs. `force` rebuilds it anyway. */
export function decideStep(facts: StageFacts, world: Omit<PlanFacts, "stages">, known: ReadonlyMap<string, KnownOutput>, force = false): PlanStep {
  const { stage } = facts;
  const locked = world.lock.stages[stage.name]?.output ?? null;
  const unknown = (reason: string): PlanStep => ({ stage, inputs: null, inputHash: null, verdict: "unknown-until-inputs-built", reason, entry: null, locked });
  const missing = stage.inputs.find((name) => !known.has(name));
  if (missing) return unknown(`input ${missing} has no known output yet (built first, it decides this stage's input hash)`);
  const seed = seesSeedAndGuest(stage) ? world.seeds[stage.arch] ?? null : null;
  if (seesSeedAndGuest(stage) && seed === null) return unknown(`the ${stage.arch} seed is not built yet, and its sha256 is part of this stage's input hash`);
  const outputs = Object.fromEntries(stage.inputs.map((name) => [name, known.get(name)!.sha256]));
  const inputs = stageInputs(facts, world.guestTree, seed, outputs);
  const hash = inputHash(inputs);
  const assumed = stage.inputs.filter((name) => known.get(name)!.from === "lock");
  const assuming = assumed.length > 0 ? ` (if ${assumed.join(", ")} reproduce${assumed.length === 1 ? "s" : ""} the locked output)` : "";
  const step = { stage, inputs, inputHash: hash, locked };
  if (force) return { ...step, verdict: "build", reason: "rebuilt on request", entry: null };
  const entry = world.store.find(stage.name, hash);
  if (entry) return { ...step, verdict: "reuse", reason: `the store has this input hash${assuming}`, entry };
  const remote = world.remote?.find(stage.name, hash);
  if (remote) return { ...step, verdict: "remote", reason: `${remote.why}${assuming}`, entry: null, remote };
  const why = locked ? "not in the store (the lock says what it must produce)" : "not in the store, not in the lock";
  return { ...step, verdict: "build", reason: `${why}${assuming}`, entry: null };
}

/** Pure: every stage's verdict, inputs first. A stage to be built passes the lock's output on to
 *  its dependants as a prediction (marked in their reason); `force` names a stage rebuilt anyway. */
export function planStages(facts: PlanFacts, force?: string): PlanStep[] {
  const known = new Map<string, KnownOutput>();
  return facts.stages.map((stageFacts) => {
    const step = decideStep(stageFacts, facts, known, stageFacts.stage.name === force);
    if (step.entry) known.set(step.stage.name, { sha256: step.entry.record.outputSha256, from: "store" });
    else if (step.remote) known.set(step.stage.name, { sha256: step.remote.output, from: "remote" });
    else if (step.locked) known.set(step.stage.name, { sha256: step.locked, from: "lock" });
    return step;
  });
}

/**
 * Pure: the plan without the stages nothing needs. Walking back from `target`, a stage that is
 * built needs its inputs; one taken from the store or the cache needs none of them, as a Nix
 * substitute or a Bazel remote hit does: its input hash is computed from its inputs' locked
 * outputs, and the cache's record is checked against the lock when it is pulled. A stage that no
 * built stage needs becomes `skip`, except a stage the store has (reusing it costs nothing).
 * `allInputs`: the target's inputs are needed whatever its verdict (verify rebuilds it; shell
 * opens it).
 */
export function pruneUnneeded(steps: PlanStep[], target: string, allInputs = false): PlanStep[] {
  const byName = new Map(steps.map((step) => [step.stage.name, step]));
  const needed = new Set<string>();
  const need = (name: string) => {
    if (needed.has(name)) return;
    needed.add(name);
    const step = byName.get(name);
    if (!step) return;
    const builds = step.verdict === "build" || step.verdict === "unknown-until-inputs-built" || (name === target && allInputs);
    if (builds) for (const input of step.stage.inputs) need(input);
  };
  need(target);
  return steps.map((step) => {
    const name = step.stage.name;
    if (needed.has(name) || step.verdict === "reuse") return step;
    const takenBy = steps.filter((s) => s.stage.inputs.includes(name) && (s.verdict === "reuse" || s.verdict === "remote")).map((s) => s.stage.name);
    const why = takenBy.length > 0 ? `${takenBy.join(", ")} ${takenBy.length === 1 ? "comes" : "come"} from the store or the shared cache` : "no stage built here uses it";
    return { ...step, verdict: "skip", reason: `not needed: ${why}` };
  });
}

/** The verdict as `plan` prints it: local (the store), remote (the shared cache), build, … */
export function verdictWord(verdict: Verdict): string {
  return verdict === "reuse" ? "local" : verdict;
}

/** The cells of one row of `zilchboot plan`: stage, verdict, input hash, output, reason. */
export function stepCells(step: PlanStep): string[] {
  const output = step.entry?.record.outputSha256 ?? step.remote?.output ?? step.locked;
  return [step.stage.name, verdictWord(step.verdict), `input ${step.inputHash?.slice(0, 16) ?? "(after its inputs)"}`, `out ${output?.slice(0, 16) ?? "?"}`, step.reason];
}

/** One step as a line, for a single step; `zilchboot plan` aligns whole tables (text-table.ts). */
export function describeStep(step: PlanStep): string {
  return stepCells(step).join("  ");
}
