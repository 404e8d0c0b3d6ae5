// Builds one stage in a fresh VM and commits its output to the store, or reuses the cached entry.
import fs from "node:fs/promises";
import path from "node:path";
import { ZilchError } from "../errors.js";
import { claimEntry, withEntriesPinned } from "../store/entry-lock.js";
import { commitEntry, type BuildRecord, type StoreEntry } from "../store/store.js";
import { sha256File } from "../sha256.js";
import { checkLock, readLock, recordInLock } from "../store/lock.js";
import { normaliseModes, packedSha256 } from "../store/pack.js";
import { hashTree, listTree } from "../store/tree-hash.js";
import type { VmBackend, VmRun } from "../vm/backend.js";
import { inputHash, recipeTreeHash, type StageInputs } from "./input-hash.js";
import type { StageRecipe } from "./recipe.js";
import { shellCommandLine } from "../shell/guest-session.js";
import { guestCommand, seesSeedAndGuest } from "./runners.js";
import { assembleShare } from "./share.js";

export interface ServedSource {
  servedAs: string;
  path: string;
  sha256: string;
}

export interface BuildStageOptions {
  stage: StageRecipe;
  workDir: string;
  guestDir: string;
  seed: string;
  kernel: { path: string; identity: unknown };
  /** pin name → the verified source: served at /sources/<servedAs> (a file, or an unpacked tree). */
  sources: Record<string, ServedSource>;
  /** dependency stage → its store entry */
  dependencies: Record<string, StoreEntry>;
  backend: VmBackend;
  cpus: number;
  memoryMiB?: number;
  timeoutMs?: number;
  /** Keep the run directory (share and partial output) after a failure. */
  keep?: boolean;
  /** Rebuild even if the store has this input hash. */
  force?: boolean;
  /** recipes/lock.json: outputs must match it; new stages are recorded. */
  lockFile?: string;
  /** Accept an output that differs from the lock and record it. */
  updateLock?: boolean;
  onConsoleLine?: (line: string) => void;
  log?: (line: string) => void;
  /** Aborting kills the VM; nothing is stored. */
  signal?: AbortSignal;
}

export interface BuildStageResult {
  entry: StoreEntry;
  cached: boolean;
  run: VmRun | null;
  logFile: string | null;
}

export async function stageInputs(opts: Pick<BuildStageOptions, "stage" | "guestDir" | "seed" | "sources" | "dependencies">): Promise<StageInputs> {
  const seesSeed = seesSeedAndGuest(opts.stage);
  return {
    stage: opts.stage.name,
    recipeTree: await recipeTreeHash(opts.stage),
    guestTree: seesSeed ? (await hashTree(opts.guestDir)).sha256 : null,
    seedSha256: seesSeed ? await sha256File(opts.seed) : null,
    sources: Object.fromEntries(Object.entries(opts.sources).map(([name, s]) => [name, s.sha256])),
    dependencies: Object.fromEntries(Object.entries(opts.dependencies).map(([name, e]) => [name, e.record.outputSha256])),
    ...(opts.stage.arch === "x86_64" ? {} : { arch: opts.stage.arch }),
  };
}

export async function buildStage(opts: BuildStageOptions): Promise<BuildStageResult> {
  const { stage, workDir } = opts;
  const inputs = await stageInputs(opts);
  const hash = inputHash(inputs);
  // Cached, or ours to build: a second process building the same entry waits here, then reuses it.
  const claim = await claimEntry(workDir, stage.name, hash, { force: opts.force, log: opts.log });
  if (claim.cached) return { entry: claim.cached, cached: true, run: null, logFile: null };
  const runDir = claim.runDir;
  const logFile = path.join(workDir, "logs", `${stage.name}.log`);
  await fs.mkdir(path.dirname(logFile), { recursive: true });
  let succeeded = false;
  try {
    const { rootDir, outDir } = await withEntriesPinned(Object.values(opts.dependencies), () => assembleShare(runDir, {
      ...(seesSeedAndGuest(stage) ? { seed: opts.seed, guestDir: opts.guestDir } : {}),
      recipeDir: stage.dir,
      recipeLibDir: stage.libDir,
      sources: Object.fromEntries(Object.values(opts.sources).map((s) => [s.servedAs, s.path])),
      dependencies: Object.fromEntries(Object.entries(opts.dependencies).map(([name, e]) => [name, e.outDir])),
    }), opts.log);
    const timeoutMs = opts.timeoutMs ?? stage.timeoutSeconds * 1000;
    opts.log?.(`booting ${stage.name} (${opts.cpus} cpus, ${opts.memoryMiB ?? stage.memoryMiB} MiB, timeout ${Math.round(timeoutMs / 1000)} s)`);
    const run = await opts.backend.boot({
      kernel: opts.kernel.path,
      rootDir,
      outDir,
      ...guestCommand(stage, opts.cpus),
      memoryMiB: opts.memoryMiB ?? stage.memoryMiB,
      cpus: opts.cpus,
      timeoutMs,
      consoleLog: logFile,
      onConsoleLine: opts.onConsoleLine,
    }, opts.signal);
    if (opts.signal?.aborted) throw new ZilchError({ code: "STAGE", message: `stage ${stage.name} interrupted; nothing was stored`, hint: "run the build again" });
    const shell = shellCommandLine(stage.name, { rerun: true, cpus: opts.cpus, memoryMiB: opts.memoryMiB });
    const failure = describeFailure(stage.name, run, logFile, timeoutMs, shell);
    if (failure) throw failure;
    await normaliseModes(outDir);
    const packed = await packedSha256(outDir);
    await enforceLock(opts, packed.sha256, runDir);
    const files = await listTree(outDir);
    const record: BuildRecord = {
      stage: stage.name,
      inputHash: hash,
      inputs,
      outputSha256: packed.sha256,
      outputBytes: files.reduce((sum, e) => sum + e.size, 0),
      outputFiles: files.filter((e) => e.kind !== "dir").length,
      guestStatus: 0,
      engine: `${opts.backend.name} ${run.engine}`,
      kernel: opts.kernel.identity,
      seedSha256: inputs.seedSha256,
      wallMs: run.durationMs,
      initOutputMs: run.initOutputMs,
      builtAt: new Date().toISOString(),
    };
    const entry = await commitEntry(workDir, path.join(runDir, "entry"), record, opts.force === true, opts.log);
    succeeded = true;
    return { entry, cached: false, run, logFile };
  } finally {
    if (succeeded || !opts.keep) await fs.rm(runDir, { recursive: true, force: true });
    else opts.log?.(`kept the failed run's share and output in ${runDir}`);
    await claim.release();
  }
}

/** Fails when the output differs from the lock (unless told to update it); records new stages. */
async function enforceLock(opts: BuildStageOptions, output: string, runDir: string): Promise<void> {
  if (!opts.lockFile) return;
  const verdict = checkLock(await readLock(opts.lockFile), opts.stage.name, output);
  if (verdict.kind === "match") return;
  if (verdict.kind === "mismatch" && !opts.updateLock) {
    throw new ZilchError({
      code: "STAGE",
      message: `stage ${opts.stage.name} produced output sha256 ${output}, ${opts.lockFile} expects ${verdict.expected}`,
      hint: `nothing was stored${opts.keep ? `; the output is in ${runDir}/entry/out` : " (rerun with --keep to inspect the output)"}; if the change is intended, rerun with --update-lock`,
    });
  }
  await recordInLock(opts.lockFile, opts.stage.name, output, verdict.kind === "mismatch" ? verdict.expected : null, opts.log);
  opts.log?.(`${opts.stage.name}: recorded output ${output} in ${opts.lockFile}`);
}

/** The message ends with the command that reopens the failed stage in a shell. */
function describeFailure(stage: string, run: VmRun, logFile: string, timeoutMs: number, shellCommand: string): ZilchError | null {
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
    hint: "nothing was stored; rerun with --keep to inspect the run directory, or open a shell in the failed stage (below)",
    details: [
      "last console lines:",
      ...tail.map((line) => `  ${line}`),
      `to debug it, re-run the stage in its VM and get a shell in its build tree: ${shellCommand}`,
    ],
  });
}
