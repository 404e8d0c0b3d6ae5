// `zilchboot status`: every stage in chain order with its lock entry, whether the store holds its
// current input hash, who produced and who reproduced the lock entry (from its provenance
// statements), and its typical wall time. Pure: the planner's steps, the statements and the store's
// records come in; rows and totals go out, for the table and for --json alike.
import { runFacts, subjectDigest, type ProvenanceStatement, type RunFacts } from "../provenance/statement.js";
import type { BuildRecord } from "../store/store.js";
import type { PlanStep } from "./plan.js";

/** One run as status shows it. */
export interface RunSummary {
  runner: string;
  engine: string;
  /** vCPUs, or the native runner's jobs; null when not recorded. */
  cpus: number | null;
  /** null: not recorded (a backfilled run). */
  wallSeconds: number | null;
  /** When it finished (ISO), if known. */
  date: string | null;
  /** Set for a statement transcribed from an older table rather than written by a run. */
  backfilledFrom?: string;
}

export type StoreState = "in-store" | "not-built" | "unknown-until-inputs-built";

export interface StageStatus {
  stage: string;
  /** The lock's output, or null: not locked. */
  locked: string | null;
  store: StoreState;
  /** The planner's reason for the store state. */
  storeReason: string;
  inputHash: string | null;
  /** recorded: statements written by runs; backfilled: only transcribed ones; none. */
  provenance: "recorded" | "backfilled" | "none";
  producedBy: RunSummary | null;
  reproducedBy: RunSummary[];
  /** Median of the runs' wall times, else the store's own record of a build. */
  typicalWallSeconds: number | null;
  wallFrom: "provenance" | "store" | null;
}

export interface ChainStatus {
  stages: StageStatus[];
  totals: {
    stages: number;
    locked: number;
    inStore: number;
    notBuilt: number;
    unknown: number;
    withProvenance: number;
    /** Locked stages whose evidence includes a run in a VM (QEMU or v86), not only native runs. */
    ranInVm: number;
    /** Sum of the typical wall times known, and how many stages have none. */
    wallSeconds: number;
    withoutWallTime: number;
  };
  /** Lock entries for which no stage folder exists. */
  lockWithoutRecipe: string[];
}

export interface StatusInputs {
  /** The planner's steps for every stage, in chain order. */
  steps: PlanStep[];
  /** The lock's stage names (to find entries without a recipe). */
  lockedStages: string[];
  provenance: ReadonlyMap<string, ProvenanceStatement[]>;
  /** Every store record (a stage may have several input hashes). */
  records: BuildRecord[];
}

function summary(statement: ProvenanceStatement): RunSummary {
  const facts: RunFacts = runFacts(statement);
  return {
    runner: facts.runner,
    engine: facts.engine,
    cpus: facts.cpus,
    wallSeconds: facts.wallSeconds,
    date: statement.predicate.runDetails.metadata.finishedOn ?? null,
    ...(facts.backfilledFrom ? { backfilledFrom: facts.backfilledFrom } : {}),
  };
}

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** A store record's build time: a pulled entry's wallMs is the download, its buildMs the build. */
function recordWallSeconds(record: BuildRecord): number | null {
  const ms = record.pulled ? record.pulled.buildMs : record.wallMs;
  return ms === null ? null : Math.round(ms / 100) / 10;
}

export const IN_VM = new Set(["qemu", "v86"]);

/** What a stage's statements say about its locked output (statements about another output, an
 *  older lock entry, say nothing about this one). */
export interface LockEvidence {
  provenance: StageStatus["provenance"];
  producedBy: RunSummary | null;
  reproducedBy: RunSummary[];
  /** Median wall time of the runs that recorded one. */
  medianWallSeconds: number | null;
  ranInVm: boolean;
}

export function lockEvidence(statements: readonly ProvenanceStatement[], locked: string | null): LockEvidence {
  const about = statements.filter((s) => locked !== null && subjectDigest(s) === locked);
  const runs = about.map(summary);
  const lockRun = about.findIndex((s) => runFacts(s).role === "lock");
  return {
    provenance: runs.length === 0 ? "none" : runs.every((r) => r.backfilledFrom) ? "backfilled" : "recorded",
    producedBy: lockRun >= 0 ? runs[lockRun] : null,
    reproducedBy: runs.filter((_, i) => i !== lockRun),
    medianWallSeconds: median(runs.flatMap((r) => (r.wallSeconds === null ? [] : [r.wallSeconds]))),
    ranInVm: runs.some((r) => IN_VM.has(r.runner)),
  };
}

export function chainStatus(inputs: StatusInputs): ChainStatus {
  const stages = inputs.steps.map((step): StageStatus => {
    const name = step.stage.name;
    const { provenance, producedBy, reproducedBy, medianWallSeconds: fromRuns } = lockEvidence(inputs.provenance.get(name) ?? [], step.locked);
    const store: StoreState = step.verdict === "reuse" ? "in-store" : step.verdict === "unknown-until-inputs-built" ? "unknown-until-inputs-built" : "not-built";
    // The store's record of this input hash, else of any build of the locked output.
    const record = step.entry?.record ?? inputs.records.find((r) => r.stage === name && r.outputSha256 === step.locked);
    const fromStore = record ? recordWallSeconds(record) : null;
    return {
      stage: name,
      locked: step.locked,
      store,
      storeReason: step.reason,
      inputHash: step.inputHash,
      provenance,
      producedBy,
      reproducedBy,
      typicalWallSeconds: fromRuns ?? fromStore,
      wallFrom: fromRuns !== null ? "provenance" : fromStore !== null ? "store" : null,
    };
  });
  const known = new Set(stages.map((s) => s.stage));
  const count = (pick: (s: StageStatus) => boolean) => stages.filter(pick).length;
  return {
    stages,
    totals: {
      stages: stages.length,
      locked: count((s) => s.locked !== null),
      inStore: count((s) => s.store === "in-store"),
      notBuilt: count((s) => s.store === "not-built"),
      unknown: count((s) => s.store === "unknown-until-inputs-built"),
      withProvenance: count((s) => s.provenance !== "none"),
      ranInVm: count((s) => [s.producedBy, ...s.reproducedBy].some((r) => r !== null && IN_VM.has(r.runner))),
      wallSeconds: Math.round(stages.reduce((sum, s) => sum + (s.typicalWallSeconds ?? 0), 0) * 10) / 10,
      withoutWallTime: count((s) => s.typicalWallSeconds === null),
    },
    lockWithoutRecipe: inputs.lockedStages.filter((name) => !known.has(name)).sort(),
  };
}
