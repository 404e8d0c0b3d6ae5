// Executes a plan: walks the target's stages inputs first, reuses what the planner finds in the
// store, and builds the rest, providing each build step only what it needs (its sources; its
// arch's seed when it sees one; a kernel only when it boots one). `build`, `verify` and `shell`
// are this one walk with different ends.
import { ZilchError } from "../errors.js";
import { readLock } from "../store/lock.js";
import type { BuildRecord, StoreEntry } from "../store/store.js";
import type { VmBackend, VmRun } from "../vm/backend.js";
import { gatherFacts } from "./plan-facts.js";
import { decideStep, planStages, pruneUnneeded, type KnownOutput, type PlanFacts, type PlanStep } from "./plan.js";
import { loadStage, type StageRecipe } from "./recipe.js";
import { rerunHint } from "./rerun-hint.js";
import type { LockPolicy, StageRunResult } from "./run.js";
import { seesSeedAndGuest } from "./runners.js";
import { NO_KERNEL, type KernelChoice, type ServedSource, type Session } from "./session.js";

/** One finished step, as progress lines and --json reports show it. */
export interface StepReport {
  cached: boolean;
  /** Taken from the shared cache (then cached is true too). */
  pulled?: boolean;
  record: BuildRecord;
  /** null for a reused step. */
  run: VmRun | null;
  logFile: string | null;
  /** The store entry; null for the target of a verify (compared, not stored). */
  entry: StoreEntry | null;
}

export interface ChainHooks {
  onStageStart?: (stage: string) => void;
  onStageDone?: (stage: string, report: StepReport, seconds: number) => void;
  /** A stage not needed here (plan.ts pruneUnneeded), with the reason. */
  onStageSkipped?: (stage: string, reason: string) => void;
}

export interface BuildOptions extends ChainHooks {
  /** Rebuild the target even when the store has it (its inputs are still reused). */
  force?: boolean;
  /** Keep a failed run's directory. */
  keep?: boolean;
  /** Accept an output that differs from the lock, and record it. */
  updateLock?: boolean;
}

/** What `zilchboot plan` prints: the verdicts, without building, fetching or booting anything.
 *  `allInputs`: plan for a shell in the target, which needs all its inputs. */
export async function planTarget(session: Session, target: string, opts: { allInputs?: boolean } = {}): Promise<PlanStep[]> {
  return pruneUnneeded(await planVerdicts(session, await gatherFacts(session, target)), target, opts.allInputs);
}

/** Every stage's verdict, the shared cache asked when one is configured. `quiet`: an entry the
 *  cache holds but this run would not accept is not reported here (a pull of it says so). */
async function planVerdicts(session: Session, facts: PlanFacts, force?: string, opts: { quiet?: boolean } = {}): Promise<PlanStep[]> {
  if (!session.cache) return planStages(facts, force);
  return (await import("../cache/remote-plan.js")).planWithCache(facts, session.cache, force, opts);
}

/** Builds `target` after its inputs; returns its store entry. */
export async function buildTarget(session: Session, target: string, opts: BuildOptions = {}): Promise<StoreEntry> {
  const { entries } = await walk(session, target, {
    through: "target",
    forceTarget: opts.force === true,
    lockFor: () => ({ file: session.lockFile, mode: opts.updateLock ? "update" : "record" }),
    keep: opts.keep,
  }, opts);
  return entries[target];
}

export interface VerifyResult {
  output: string;
  /** The rebuild's record (not stored): what `verify --attest` attests. */
  record: BuildRecord;
  logFile: string;
  /** With --keep: where the rebuilt output stays. */
  keptOutput: string | null;
}

/** Rebuilds `target` (its inputs reused or built as usual) and compares its output with the lock,
 *  which it never writes; fails when the lock has no entry for it, before building anything. */
export async function verifyTarget(session: Session, target: string, opts: ChainHooks & { keep?: boolean } = {}): Promise<VerifyResult> {
  await loadStage(session.recipesRoot, target);
  if (!(await readLock(session.lockFile)).stages[target]) {
    throw new ZilchError({
      code: "USAGE",
      message: `cannot verify ${target}: ${session.lockFile} has no entry for it, so there is nothing to compare a rebuild with`,
      hint: `build it ('zilchboot build ${target}'), check the output and commit the lock; verify never writes it`,
    });
  }
  const { verified } = await walk(session, target, {
    through: "target",
    forceTarget: true,
    verifyTarget: true,
    // Inputs built on the way are checked against the lock too, but nothing new is recorded.
    lockFor: (name) => ({ file: session.lockFile, mode: name === target ? "verify" : "check" }),
    keep: opts.keep,
  }, opts);
  return { output: verified!.record.outputSha256, record: verified!.record, logFile: verified!.logFile, keptOutput: verified!.keptOutput };
}

/** Builds or reuses the inputs of `target` but not the target itself (`zilchboot shell`). */
export async function buildInputs(session: Session, target: string, hooks: ChainHooks = {}): Promise<{ stage: StageRecipe; inputs: Record<string, StoreEntry> }> {
  const { entries, stage } = await walk(session, target, { through: "inputs", forceTarget: false, lockFor: () => ({ file: session.lockFile, mode: "record" }) }, hooks);
  return { stage, inputs: Object.fromEntries(stage.inputs.map((name) => [name, entries[name]])) };
}

export interface BootMaterials {
  backend: VmBackend;
  kernel: KernelChoice;
  /** The arch's seed, for stages that see it; null for the others. */
  seed: string | null;
  sources: Record<string, ServedSource>;
  /** The session's vCPUs, capped by what the backend can give (v86: one). */
  cpus: number;
}

/** Provides what booting `stage` needs. The backend is chosen first: a stage no backend can run
 *  fails before a kernel is built for it. */
export async function bootMaterials(session: Session, stage: StageRecipe, seed?: string | null): Promise<BootMaterials> {
  const runner = await session.runnerFor(stage);
  const kernel = runner.bootsKernel ? await session.provision.kernel(stage.arch) : NO_KERNEL;
  const backend = runner.backend(runner.bootsKernel ? kernel : null);
  const seedPath = seed !== undefined ? seed : seesSeedAndGuest(stage) ? (await session.provision.seed(stage.arch)).path : null;
  const sources = await session.provision.sources(stage);
  return { backend, kernel, seed: seedPath, sources, cpus: Math.min(session.vm.cpus, backend.maxCpus ?? session.vm.cpus) };
}

interface WalkMode {
  through: "target" | "inputs";
  forceTarget: boolean;
  /** The target's output is compared, not stored. */
  verifyTarget?: boolean;
  lockFor: (stage: string) => LockPolicy;
  keep?: boolean;
}

async function walk(session: Session, target: string, mode: WalkMode, hooks: ChainHooks) {
  const facts = await gatherFacts(session, target);
  // Stages only the store's or the cache's entries use are not built (pruneUnneeded); the same
  // plan decides which stages must have a runner here.
  const plan = pruneUnneeded(await planVerdicts(session, facts, mode.forceTarget ? target : undefined, { quiet: true }), target, mode.forceTarget || mode.through === "inputs");
  await refuseUnrunnable(session, plan, target, mode);
  const skipped = new Set<string>();
  const known = new Map<string, KnownOutput>();
  const entries: Record<string, StoreEntry> = {};
  let verified: StageRunResult | null = null;
  for (const stageFacts of facts.stages) {
    const { stage } = stageFacts;
    const isTarget = stage.name === target;
    if (isTarget && mode.through === "inputs") break;
    const planned = plan.find((s) => s.stage.name === stage.name);
    const promised = planned?.remote?.output ?? planned?.locked;
    if (planned?.verdict === "skip" && promised) {
      // Its users' input hashes name the output the lock promises, as the plan computed them.
      skipped.add(stage.name);
      known.set(stage.name, { sha256: promised, from: "lock" });
      session.log(`${stage.name}: skipped (${planned.reason})`);
      hooks.onStageSkipped?.(stage.name, planned.reason);
      continue;
    }
    const force = isTarget && mode.forceTarget;
    const started = performance.now();
    hooks.onStageStart?.(stage.name);
    let step = decideStep(stageFacts, facts, known, force);
    // The cache is asked before the seed is provided: a pulled stage needs no seed, kernel or source.
    let pulled = await pullStep(session, step, force);
    const missing = pulled || step.verdict === "reuse" ? [] : stage.inputs.filter((name) => skipped.has(name));
    if (missing.length > 0) {
      // The cache no longer has (or no longer vouches for) what the plan expected: this stage is
      // built after all, so the inputs skipped for its sake are built (or pulled) first.
      session.log(`${stage.name}: the shared cache did not provide it; building the inputs skipped for it first: ${missing.join(", ")}`);
      for (const name of missing) {
        const { entries: built } = await walk(session, name, { ...mode, through: "target", forceTarget: false, verifyTarget: false }, hooks);
        for (const [n, entry] of Object.entries(built)) {
          entries[n] = entry;
          skipped.delete(n);
          known.set(n, { sha256: entry.record.outputSha256, from: "store" });
        }
      }
      const before = step.inputHash;
      step = decideStep(stageFacts, facts, known, force);
      // Asked again only for other inputs (a built input differing from the lock).
      if (step.inputHash !== before) pulled = await pullStep(session, step, force);
    }
    let seed: string | null = null;
    if (!pulled && step.verdict !== "reuse" && seesSeedAndGuest(stage)) {
      // Building serves the seed, so the hash must name the seed actually served; with that
      // sha256 known the store (or the cache) may turn out to hold the stage after all.
      const provided = await session.provision.seed(stage.arch);
      seed = provided.path;
      if (facts.seeds[stage.arch] !== provided.sha256) {
        facts.seeds[stage.arch] = provided.sha256;
        step = decideStep(stageFacts, facts, known, force);
        pulled = await pullStep(session, step, force);
      }
    }
    if (pulled) {
      entries[stage.name] = pulled;
      facts.store.add(pulled);
      known.set(stage.name, { sha256: pulled.record.outputSha256, from: "store" });
      // The pull waits on the entry's lock, so another process may have stored it meanwhile.
      const from = pulled.record.pulled;
      session.log(from
        ? `${stage.name}: pulled from ${from.from} in ${(pulled.record.wallMs / 1000).toFixed(1)}s (input ${pulled.record.inputHash.slice(0, 16)}; ${from.why})`
        : `${stage.name}: built meanwhile by another process (input ${pulled.record.inputHash.slice(0, 16)})`);
      hooks.onStageDone?.(stage.name, { cached: true, pulled: from !== undefined, record: pulled.record, run: null, logFile: null, entry: pulled }, (performance.now() - started) / 1000);
      continue;
    }
    if (step.verdict === "reuse") {
      const entry = step.entry!;
      entries[stage.name] = entry;
      known.set(stage.name, { sha256: entry.record.outputSha256, from: "store" });
      session.log(`${stage.name}: cached (input ${entry.record.inputHash.slice(0, 16)})`);
      await session.cache?.push(entry, step.locked);
      hooks.onStageDone?.(stage.name, { cached: true, record: entry.record, run: null, logFile: null, entry }, (performance.now() - started) / 1000);
      continue;
    }
    if (!step.inputs || !step.inputHash) throw new Error(`internal: ${stage.name} has no input hash after its inputs were built (${step.reason})`);
    const commit = !(isTarget && mode.verifyTarget);
    // A build that stores its output first claims the store entry: a second process building the
    // same inputs waits here, then reuses what the first one stored.
    const { claimEntry } = await import("../store/entry-lock.js");
    const claim = commit ? await claimEntry(session.home, stage.name, step.inputHash, { force, log: session.log }) : null;
    if (claim?.cached) {
      entries[stage.name] = claim.cached;
      facts.store.add(claim.cached);
      known.set(stage.name, { sha256: claim.cached.record.outputSha256, from: "store" });
      session.log(`${stage.name}: built meanwhile by another process (input ${step.inputHash.slice(0, 16)})`);
      hooks.onStageDone?.(stage.name, { cached: true, record: claim.cached.record, run: null, logFile: null, entry: claim.cached }, (performance.now() - started) / 1000);
      continue;
    }
    const result = await runStep(session, step, seed, Object.fromEntries(stage.inputs.map((name) => [name, entries[name]])), {
      commit,
      lock: mode.lockFor(stage.name),
      keep: mode.keep,
      replace: force,
      runDir: claim?.runDir,
    }).finally(() => claim?.release());
    const seconds = (performance.now() - started) / 1000;
    session.log(builtLine(stage.name, result.record, seconds, result.run.initOutputMs, result.logFile));
    if (result.entry) {
      entries[stage.name] = result.entry;
      facts.store.add(result.entry);
      await session.cache?.push(result.entry, step.locked);
    } else {
      verified = result;
    }
    known.set(stage.name, { sha256: result.record.outputSha256, from: "built" });
    hooks.onStageDone?.(stage.name, { cached: false, record: result.record, run: result.run, logFile: result.logFile, entry: result.entry }, seconds);
  }
  return { entries, verified, stage: facts.stages.at(-1)!.stage };
}

/** Asks for a runner for every stage the walk is expected to build, before anything is fetched,
 *  provided or built: a stage that no runner here can run (an x86_64 stage under v86, an i386
 *  stage natively on a kernel without IA32 emulation) fails the command at once rather than after
 *  an hour of its inputs. With a shared cache a stage may be pulled instead, so it is asked only
 *  when reached. */
async function refuseUnrunnable(session: Session, plan: PlanStep[], target: string, mode: WalkMode): Promise<void> {
  if (session.cache) return;
  for (const step of plan) {
    if (step.stage.name === target && mode.through === "inputs") break;
    if (step.verdict !== "reuse" && step.verdict !== "skip") await session.runnerFor(step.stage);
  }
}

/** The stage from the shared cache, when one is configured and the step would build and store it
 *  (a forced rebuild, verify's target, is never pulled); null: build it. Never throws for the
 *  cache's sake: a bad entry or a server that is down is a warning line. */
async function pullStep(session: Session, step: PlanStep, force: boolean): Promise<StoreEntry | null> {
  if (!session.cache || force || step.verdict !== "build" || !step.inputs || !step.inputHash) return null;
  return session.cache.pull({ stage: step.stage.name, inputHash: step.inputHash, inputs: step.inputs, locked: step.locked, home: session.home, store: session.store });
}

async function runStep(
  session: Session,
  step: PlanStep,
  seed: string | null,
  dependencies: Record<string, StoreEntry>,
  opts: { commit: boolean; lock: LockPolicy; keep?: boolean; replace: boolean; runDir?: string },
): Promise<StageRunResult> {
  const { stage } = step;
  const boot = await bootMaterials(session, stage, seed);
  // Loaded here: a cached chain never needs the packer (node-tar) or the share code.
  const { runStage } = await import("./run.js");
  return runStage({
    stage,
    inputs: step.inputs!,
    inputHash: step.inputHash!,
    home: session.home,
    guestDir: session.guestDir,
    ...boot,
    dependencies,
    memoryMiB: session.vm.memoryMiB,
    timeoutMs: session.vm.timeoutMs,
    rerunHint: rerunHint(stage, session.reproduce, boot.cpus),
    shareFs: session.shareFs,
    store: session.store,
    onConsoleLine: session.onConsoleLine,
    log: session.log,
    signal: session.signal,
    ...opts,
  });
}

/** "X: built in 176.6s with qemu (tcg,thread=multi); …": the stage's own time (its run, as its
 *  record keeps it), and apart from it the whole step's when providing the kernel, seed and sources
 *  and storing the output added a second or more (a kernel build can add many minutes). */
export function builtLine(stage: string, record: Pick<BuildRecord, "wallMs" | "engine">, seconds: number, initOutputMs: number | null | undefined, logFile: string): string {
  const own = record.wallMs / 1000;
  const whole = seconds - own >= 1 ? ` (${seconds.toFixed(1)}s in all, with providing its kernel, seed and sources and storing its output)` : "";
  return `${stage}: built in ${own.toFixed(1)}s with ${engineWords(record.engine)}${whole}; PID 1 output after ${initOutputMs ?? "?"} ms; log ${logFile}`;
}

/** A record's engine ("<backend> <what ran the guest>") as words: "qemu (tcg,thread=multi)",
 *  "native (namespaces, not a VM)", not "native native (…)". */
export function engineWords(engine: string): string {
  const [backend, ...rest] = engine.split(" ");
  let detail = rest.join(" ");
  if (detail.startsWith(`${backend} `)) detail = detail.slice(backend.length + 1);
  if (detail === backend || detail === "") return backend;
  return detail.startsWith("(") ? `${backend} ${detail}` : `${backend} (${detail})`;
}
