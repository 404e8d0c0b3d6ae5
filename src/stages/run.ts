// Runs one planned build step: assembles the share, boots the stage, checks the output against the
// lock, and commits it to the store (or, for verify, only compares it). It decides nothing about
// caching: the planner did (plan.ts).
import fs from "node:fs/promises";
import path from "node:path";
import { ZilchError } from "../errors.js";
import { claimEntry, withEntriesPinned } from "../store/entry-lock.js";
import { commitEntry, listEntries, type BuildRecord, type StoreEntry } from "../store/store.js";
import { checkLock, readLock, recordInLock } from "../store/lock.js";
import { describeManifestDiff, diffManifests, type ManifestEntry } from "../store/manifest.js";
import { entryTree, resolveStore, type StoreLayout, type StoreRequest } from "../store/store-mode.js";
import { createRunDir } from "../store/run-dir.js";
import type { BootSpec, VmBackend, VmRun } from "../vm/backend.js";
import { materialiseMetaTree } from "../vm/p9/meta-output.js";
import type { MetaTree } from "../vm/p9/meta-tree.js";
import { recipeTreeHash, type StageInputs } from "./input-hash.js";
import type { StageRecipe } from "./recipe.js";
import { guestCommand, seesSeedAndGuest } from "./runners.js";
import type { KernelChoice, ServedSource } from "./session.js";
import { assembleShare } from "./share.js";
import { openRunLog } from "./run-log.js";
import { decideStep } from "./plan.js";
import { storeIndex } from "./plan-facts.js";
import { rerunHint } from "./rerun-hint.js";
import { hashTree } from "../store/tree-hash.js";
import { sha256File } from "../sha256.js";
import { outputFromDir, outputFromTree, resolveShareFs, treeShares, type ShareFsRequest } from "./share-fs-mode.js";

export type { ServedSource } from "./session.js";

/** What happens to the output against recipes/lock.json. `record`: a new stage is recorded, a
 *  different output fails; `update`: any output is recorded (--update-lock); `check`: a different
 *  output fails, nothing is recorded; `verify`: as check, and a stage the lock lacks fails too. */
export type LockPolicy = { file: string; mode: "record" | "update" | "check" | "verify" };

export interface RunStageOptions {
  stage: StageRecipe;
  inputs: StageInputs;
  inputHash: string;
  /** Store, logs and runs. */
  home: string;
  guestDir: string;
  /** The seed file served to seed-tcc stages (null for the others). */
  seed: string | null;
  kernel: KernelChoice;
  sources: Record<string, ServedSource>;
  dependencies: Record<string, StoreEntry>;
  backend: VmBackend;
  cpus: number;
  memoryMiB?: number;
  timeoutMs?: number;
  /** Keep the run directory (share and output) after a failure, or after a verify. */
  keep?: boolean;
  /** How the shares are stored on the host (share-fs-mode.ts); default auto. */
  shareFs?: ShareFsRequest;
  /** How the output is stored (store-mode.ts, ZILCHBOOT_STORE); default auto. */
  store?: StoreRequest;
  lock?: LockPolicy;
  /** false (verify): the output is compared, never stored. */
  commit: boolean;
  /** The command that reopens the stage, for the failure message. */
  rerunHint: string;
  /** Replace an existing store entry of the same inputs (a forced rebuild). */
  replace?: boolean;
  /** The run directory the caller claimed with the store entry (store/entry-lock.ts); without it
   *  (verify) runStage makes its own, locked against gc while it runs. */
  runDir?: string;
  onConsoleLine?: (line: string) => void;
  log?: (line: string) => void;
  signal?: AbortSignal;
}

export interface StageRunResult {
  record: BuildRecord;
  run: VmRun;
  /** This run's console log (logs/<time>-<id>-<stage>.log). */
  logFile: string;
  /** The committed entry; null for verify. */
  entry: StoreEntry | null;
  /** Where a kept verify output stays (with --keep: a directory, or a tar in an archive store);
   *  null otherwise. */
  keptOutput: string | null;
}

export async function runStage(opts: RunStageOptions): Promise<StageRunResult> {
  const { stage, home } = opts;
  const own = opts.runDir ? null : await createRunDir(home, `${stage.name}-${opts.inputHash.slice(0, 16)}`, opts.log);
  const runDir = opts.runDir ?? own!.dir;
  const logFile = await openRunLog(home, stage.name, path.basename(runDir).slice(-8));
  let succeeded = false;
  const outDir = path.join(runDir, "entry", "out");
  const layout = resolveStore(opts.store);
  const storedOutput = layout === "archive" ? `${outDir}.tar` : outDir;
  // Set in memory and foreign mode: /out lives in memory until the output is captured.
  let outTree: MetaTree | null = null;
  // With --keep, the native runner's /tmp (where recipes build) is a host directory in the run
  // directory, so a failed build's tree survives; otherwise it is a tmpfs.
  const scratchDir = opts.keep && opts.backend.name === "native" ? path.join(runDir, "tmp") : undefined;
  try {
    const dependencies = Object.values(opts.dependencies);
    const shareFs = resolveShareFs(opts.shareFs, opts.backend, process.platform, dependencies.some((e) => e.archive !== null));
    const contents = {
      ...(seesSeedAndGuest(stage) && opts.seed ? { seed: opts.seed, guestDir: opts.guestDir } : {}),
      recipeDir: stage.dir,
      recipeLib: stage.lib,
      sources: Object.fromEntries(Object.values(opts.sources).map((s) => [s.servedAs, s.path])),
    };
    const timeoutMs = opts.timeoutMs ?? stage.timeoutSeconds * 1000;
    if (scratchDir) await fs.mkdir(scratchDir);
    const boot = (shares: Pick<BootSpec, "rootDir" | "outDir" | "rootTree" | "outTree">) => {
      opts.log?.(`booting ${stage.name} (${opts.cpus} cpus, ${opts.memoryMiB ?? stage.memoryMiB} MiB, timeout ${Math.round(timeoutMs / 1000)} s${shareFs === "host" ? "" : `, shares in ${shareFs} mode`}); log: ${logFile}`);
      return opts.backend.boot({
        kernel: opts.kernel.path,
        ...shares,
        ...guestCommand(stage, opts.cpus),
        ...(scratchDir ? { scratchDir } : {}),
        memoryMiB: opts.memoryMiB ?? stage.memoryMiB,
        cpus: opts.cpus,
        timeoutMs,
        consoleLog: logFile,
        onConsoleLine: opts.onConsoleLine,
      }, opts.signal);
    };
    let run: VmRun;
    if (shareFs === "host") {
      // A host-directory root links the inputs' files: an archive entry has none to link.
      const [needs, instead] = opts.backend.name === "native" ? ["--runner native", "or build with a VM runner and --share-fs memory"] : ["--share-fs host", "or use --share-fs memory"];
      const trees = Object.fromEntries(Object.entries(opts.dependencies).map(([name, e]) => [name, entryTree(e, needs, instead)]));
      // Dependencies are pinned while they are linked in, so a forced rebuild in another process
      // cannot swap an entry out from under the share.
      const { rootDir } = await withEntriesPinned(dependencies, () => assembleShare(runDir, { ...contents, dependencies: trees }), opts.log);
      run = await boot({ rootDir, outDir });
    } else {
      // The root serves the store entries' own files: they stay pinned for the whole run.
      run = await withEntriesPinned(dependencies, async () => {
        const shares = await treeShares(runDir, {
          ...contents,
          dependencies: Object.fromEntries(Object.entries(opts.dependencies).map(([name, e]) => [name, e.archive ? { archive: e.archive } : { outDir: e.outDir, manifest: e.record.manifest }])),
        }, shareFs);
        outTree = shares.outTree;
        return boot({ rootDir: path.join(runDir, "root"), outDir, rootTree: shares.rootTree, outTree: shares.outTree });
      }, opts.log);
    }
    if (opts.signal?.aborted) throw new ZilchError({ code: "STAGE", message: `stage ${stage.name} interrupted; nothing was stored`, hint: "run the build again" });
    const failure = describeFailure(stage.name, run, logFile, timeoutMs, opts.rerunHint);
    if (failure) throw failure;
    // One walk: modes normalised in place, special files refused, the canonical manifest hashed;
    // or, for an out share in memory, the manifest from its metadata. Then the output is written
    // as the store keeps it (a directory, or its canonical tar checked against that manifest).
    const output = outTree ? await outputFromTree(outTree, outDir, layout) : await outputFromDir(outDir, layout);
    const locked = await enforceLock(opts, output.sha256, output.manifest, storedOutput, logFile);
    const record: BuildRecord = {
      stage: stage.name,
      inputHash: opts.inputHash,
      inputs: opts.inputs,
      outputSha256: output.sha256,
      outputBytes: output.bytes,
      outputFiles: output.files,
      engine: `${opts.backend.name} ${run.engine}`,
      cpus: opts.cpus,
      kernel: opts.kernel.identity,
      seedSha256: opts.inputs.seedSha256,
      wallMs: run.durationMs,
      initOutputMs: run.initOutputMs,
      builtAt: new Date().toISOString(),
      ...sourceFiles(opts.sources),
      manifest: output.manifest,
    };
    // The lock entry just written gets its evidence beside it (recipes/provenance/<stage>.jsonl).
    if (locked) {
      const { attestRun } = await import("../provenance/provenance-log.js");
      opts.log?.(`${stage.name}: recorded its provenance in ${await attestRun(opts.lock!.file, record, "lock", opts.log)}`);
    }
    const entry = opts.commit ? await commitEntry(home, path.join(runDir, "entry"), record, opts.replace === true, opts.log) : null;
    succeeded = true;
    return { record, run, logFile, entry, keptOutput: !opts.commit && opts.keep ? storedOutput : null };
  } finally {
    const keepIt = opts.keep && (!succeeded || !opts.commit);
    if (keepIt && !succeeded && outTree) await keepFailedOutput(outTree, outDir, layout);
    if (!keepIt) await fs.rm(runDir, { recursive: true, force: true });
    else if (!succeeded) opts.log?.(`kept the failed run's share, output${scratchDir ? " and /tmp" : ""} in ${runDir}`);
    await own?.release();
  }
}

/** A kept failure shows what the guest left in /out as the store would keep it: in an archive
 *  store its canonical tar (exact names, modes and symlinks whatever the host file system), unless
 *  the lock check already wrote it; else, or when no exact tar can be made of it, a directory. */
async function keepFailedOutput(tree: MetaTree, outDir: string, layout: StoreLayout): Promise<void> {
  if (layout === "archive") {
    if (await fs.access(`${outDir}.tar`).then(() => true, () => false)) return;
    if (await outputFromTree(tree, outDir, "archive").then(() => true, () => false)) return;
  }
  await materialiseMetaTree(tree, outDir).catch(() => undefined);
}

/** Which file each source came from, for the record (only sources that say). */
function sourceFiles(sources: Record<string, ServedSource>): Pick<BuildRecord, "sourceFiles"> {
  const used = Object.entries(sources).flatMap(([pin, s]) => (s.used ? [[pin, s.used] as const] : []));
  return used.length > 0 ? { sourceFiles: Object.fromEntries(used) } : {};
}

/** Fails when the output differs from the lock (unless told to update it); records new stages,
 *  except under `verify`, which never writes the lock. A mismatch names the files that differ from
 *  the stored build of the locked output, when the store has one. True when it wrote the entry. */
async function enforceLock(opts: RunStageOptions, output: string, manifest: ManifestEntry[], storedOutput: string, logFile: string): Promise<boolean> {
  if (!opts.lock) return false;
  const { file, mode } = opts.lock;
  const verdict = checkLock(await readLock(file), opts.stage.name, output);
  if (verdict.kind === "match") return false;
  const kept = opts.keep ? `the output is in ${storedOutput}` : "rerun with --keep to inspect the output";
  const details = verdict.kind === "mismatch" ? await lockedDiff(opts.home, opts.stage.name, verdict.expected, manifest) : [];
  if (mode === "verify") {
    const expected = verdict.kind === "mismatch" ? `${file} expects ${verdict.expected}` : `${file} has no entry for it`;
    throw new ZilchError({ code: "STAGE", message: `verify ${opts.stage.name}: the rebuild produced output sha256 ${output}, ${expected}; log: ${logFile}`, hint: `${kept}; the lock was not changed`, details });
  }
  if (verdict.kind === "new" && mode === "check") return false;
  if (verdict.kind === "mismatch" && mode !== "update") {
    throw new ZilchError({
      code: "STAGE",
      message: `stage ${opts.stage.name} produced output sha256 ${output}, ${file} expects ${verdict.expected}; log: ${logFile}`,
      hint: `nothing was stored (${kept}); if the change is intended, rerun with --update-lock`,
      details,
    });
  }
  await recordInLock(file, opts.stage.name, output, verdict.kind === "mismatch" ? verdict.expected : null, opts.log);
  opts.log?.(`${opts.stage.name}: recorded output ${output} in ${file}`);
  return true;
}

/** Files added, removed or changed against a stored build whose output is the locked one. */
async function lockedDiff(home: string, stage: string, expected: string, manifest: ManifestEntry[]): Promise<string[]> {
  const locked = (await listEntries(home)).find((e) => e.record.stage === stage && e.record.outputSha256 === expected && Array.isArray(e.record.manifest));
  if (!locked?.record.manifest) return [`no stored build of the locked output ${expected.slice(0, 16)} to compare files with`];
  return [`against the stored build of the locked output (${locked.dir}):`, ...describeManifestDiff(diffManifests(locked.record.manifest, manifest))];
}

/** The message names this run's log and ends with the command that reopens the failed stage. */
function describeFailure(stage: string, run: VmRun, logFile: string, timeoutMs: number, rerunHint: string): ZilchError | null {
  const { outcome } = run;
  if (outcome.kind === "status" && outcome.status === 0) return null;
  const seconds = Math.round(run.durationMs / 1000);
  const why =
    outcome.kind === "status" ? `guest exited ${outcome.status} after ${seconds}s`
    : outcome.kind === "timeout" ? `timed out after ${Math.round(timeoutMs / 1000)}s, VM killed`
    : outcome.detail;
  const tail = run.consoleTail.filter((line) => line.trim() !== "");
  const lastLine = tail.at(-1) ?? "";
  return new ZilchError({
    code: "STAGE",
    message: `stage ${stage} failed: ${why} (last line: ${JSON.stringify(lastLine)}); log: ${logFile}`,
    hint: "nothing was stored; rerun with --keep to inspect the run directory, or reproduce it (below)",
    details: ["last console lines:", ...tail.map((line) => `  ${line}`), rerunHint],
  });
}

/** One stage with the materials in hand (tests, benchmarks): the planner decides reuse or build,
 *  then runStage builds. Chains go through chain.ts instead. */
export type BuildStageOptions = Pick<RunStageOptions, "stage" | "guestDir" | "sources" | "dependencies" | "backend" | "cpus" | "memoryMiB" | "timeoutMs" | "keep" | "shareFs" | "store" | "onConsoleLine" | "log" | "signal"> & {
  workDir: string;
  seed: string;
  kernel: KernelChoice | { path: string; identity: unknown };
  force?: boolean;
  lockFile?: string;
  updateLock?: boolean;
};

export interface BuildStageResult {
  entry: StoreEntry;
  cached: boolean;
  run: VmRun | null;
  logFile: string | null;
}

export async function buildStage(opts: BuildStageOptions): Promise<BuildStageResult> {
  const { stage } = opts;
  const facts = { stage, recipeTree: await recipeTreeHash(stage), sources: Object.fromEntries(Object.entries(opts.sources).map(([pin, s]) => [pin, s.sha256])) };
  const seesSeed = seesSeedAndGuest(stage);
  const known = new Map(Object.entries(opts.dependencies).map(([name, e]) => [name, { sha256: e.record.outputSha256, from: "store" as const }]));
  const step = decideStep(facts, {
    guestTree: seesSeed ? (await hashTree(opts.guestDir)).sha256 : null,
    seeds: { [stage.arch]: seesSeed ? await sha256File(opts.seed) : null },
    lock: { stages: {} },
    store: await storeIndex(opts.workDir),
  }, known, opts.force === true);
  if (step.entry) return { entry: step.entry, cached: true, run: null, logFile: null };
  // Ours to build, or another process's that finished while we waited for the entry's lock.
  const claim = await claimEntry(opts.workDir, stage.name, step.inputHash!, { force: opts.force, log: opts.log });
  if (claim.cached) return { entry: claim.cached, cached: true, run: null, logFile: null };
  const result = await runStage({
    ...opts,
    kernel: opts.kernel as KernelChoice,
    inputs: step.inputs!,
    inputHash: step.inputHash!,
    home: opts.workDir,
    lock: opts.lockFile ? { file: opts.lockFile, mode: opts.updateLock ? "update" : "record" } : undefined,
    commit: true,
    replace: opts.force,
    rerunHint: rerunHint(stage, { env: {}, flags: opts.memoryMiB ? ["--memory", String(opts.memoryMiB)] : [] }, opts.cpus),
    runDir: claim.runDir,
  }).finally(() => claim.release());
  return { entry: result.entry!, cached: false, run: result.run, logFile: result.logFile };
}
