// A lock entry's evidence as an in-toto Statement v1 with an SLSA Provenance v1 predicate: what
// was built (the stage's output, by its manifest sha256), from what (every input's digest) and by
// whom (zilchboot's version and commit, the runner, its vCPUs or jobs, the wall time). Pure: the
// run's facts come in, the statement goes out; writing it is provenance-log.ts's job.
import type { StageInputs } from "../stages/input-hash.js";
import type { BuildRecord } from "../store/store.js";

export const STATEMENT_TYPE = "https://in-toto.io/Statement/v1";
export const SLSA_PROVENANCE = "https://slsa.dev/provenance/v1";
/** What `buildType` names: this module defines the meaning of the parameters, so its path in the
 *  package is the honest identifier (zilchboot has no web address of its own). */
export const BUILD_TYPE = "pkg:npm/zilchboot#src/provenance/statement.ts";

/** in-toto ResourceDescriptor (the fields we use). */
export interface ResourceDescriptor {
  name?: string;
  uri?: string;
  digest?: Record<string, string>;
  annotations?: Record<string, unknown>;
}

/** The locking build, or an independent rebuild that matched it (`verify --attest`). */
export type RunRole = "lock" | "reproduction";

/** zilchboot's own account of a run, kept as the predicate's one byproduct ("zilchboot-run"). */
export interface RunFacts {
  role: RunRole;
  /** qemu, v86, native (or a test's fake). */
  runner: string;
  /** What the backend reported: the accelerator ("kvm", "tcg,thread=multi"), "v86 (wasm)", … */
  engine: string;
  /** The guest's vCPUs; for the native runner its job count. null: not recorded. */
  cpus: number | null;
  /** null only in a backfilled statement whose table gave no time. */
  wallSeconds: number | null;
  /** Set only for statements transcribed from an older hand-kept table, naming it. */
  backfilledFrom?: string;
  /** The table's own words for this run, kept verbatim beside the fields read from them. */
  note?: string;
}

export interface Builder {
  version: string;
  /** git commit of the checkout that ran, with "-dirty" when it had uncommitted changes; null
   *  outside a git checkout (an installed package). */
  commit: string | null;
}

export interface ProvenanceStatement {
  _type: typeof STATEMENT_TYPE;
  subject: Array<{ name: string; digest: { sha256: string } }>;
  predicateType: typeof SLSA_PROVENANCE;
  predicate: {
    buildDefinition: {
      buildType: string;
      externalParameters: { stage: string; inputHash: string | null };
      internalParameters?: Record<string, unknown>;
      resolvedDependencies: ResourceDescriptor[];
    };
    runDetails: {
      builder: { id: string; version?: Record<string, string> };
      metadata: { startedOn?: string; finishedOn?: string };
      byproducts: [{ name: "zilchboot-run"; annotations: RunFacts }];
    };
  };
}

/** The runner word a backend's name stands for. */
export function runnerOf(engine: string): string {
  return engine.split(" ")[0] ?? engine;
}

/** Every input the record's input hash covers, as resource descriptors. Tree hashes (the recipe's
 *  files, vm/guest) are zilchboot's own (src/store/tree-hash.ts), so they carry their own
 *  algorithm name rather than pass for a file's sha256. */
export function resolvedDependencies(inputs: StageInputs, kernel: unknown, sourceFiles: BuildRecord["sourceFiles"]): ResourceDescriptor[] {
  const deps: ResourceDescriptor[] = [{ name: `recipe:${inputs.stage}`, digest: { zilchbootTree: inputs.recipeTree } }];
  if (inputs.guestTree) deps.push({ name: "guest:vm/guest", digest: { zilchbootTree: inputs.guestTree } });
  if (inputs.seedSha256) deps.push({ name: `seed:${inputs.arch ?? "x86_64"}`, digest: { sha256: inputs.seedSha256 } });
  for (const [pin, sha256] of Object.entries(inputs.sources).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const used = sourceFiles?.[pin];
    deps.push({ name: `source:${pin}`, digest: { sha256 }, ...(used ? { annotations: { used } } : {}) });
  }
  for (const [stage, output] of Object.entries(inputs.dependencies).sort(([a], [b]) => (a < b ? -1 : 1))) {
    deps.push({ name: `stage:${stage}`, digest: { sha256: output } });
  }
  const identity = kernelIdentity(kernel);
  if (identity) deps.push({ name: "kernel", ...(typeof identity.sha256 === "string" ? { digest: { sha256: identity.sha256 } } : {}), annotations: identity });
  return deps;
}

/** A kernel identity worth naming: none for the native runner, which boots no kernel. */
function kernelIdentity(kernel: unknown): Record<string, unknown> | null {
  if (typeof kernel !== "object" || kernel === null) return null;
  const identity = kernel as Record<string, unknown>;
  return identity.native === "true" ? null : identity;
}

/** The statement for one finished build or rebuild of `record.stage`. */
export function buildStatement(record: BuildRecord, role: RunRole, builder: Builder): ProvenanceStatement {
  const finished = new Date(record.builtAt);
  const started = new Date(finished.getTime() - record.wallMs);
  const version: Record<string, string> = { zilchboot: builder.version, ...(builder.commit ? { commit: builder.commit } : {}) };
  return {
    _type: STATEMENT_TYPE,
    subject: [{ name: record.stage, digest: { sha256: record.outputSha256 } }],
    predicateType: SLSA_PROVENANCE,
    predicate: {
      buildDefinition: {
        buildType: BUILD_TYPE,
        externalParameters: { stage: record.stage, inputHash: record.inputHash },
        resolvedDependencies: resolvedDependencies(record.inputs as StageInputs, record.kernel, record.sourceFiles),
      },
      runDetails: {
        builder: { id: `pkg:npm/zilchboot@${builder.version}`, version },
        metadata: { startedOn: started.toISOString(), finishedOn: finished.toISOString() },
        byproducts: [{
          name: "zilchboot-run",
          annotations: { role, runner: runnerOf(record.engine), engine: record.engine.slice(runnerOf(record.engine).length + 1), cpus: record.cpus ?? null, wallSeconds: Math.round(record.wallMs / 100) / 10 },
        }],
      },
    },
  };
}

/** The run facts of a statement (every statement we write has them). */
export function runFacts(statement: ProvenanceStatement): RunFacts {
  return statement.predicate.runDetails.byproducts[0].annotations;
}

export function subjectDigest(statement: ProvenanceStatement): string {
  return statement.subject[0].digest.sha256;
}
