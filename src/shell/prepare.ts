// Gets a shell session's guest root ready: the stage's inputs (built or reused by the same chain
// walk a build does), its output with --after, stage 1's tools, and what booting the stage takes.
// Nothing here boots the session's own VM.
import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import { ZilchError } from "../errors.js";
import { bootMaterials, buildInputs, buildTarget, planTarget } from "../stages/chain.js";
import type { PlanStep } from "../stages/plan.js";
import { loadStage, type StageRecipe } from "../stages/recipe.js";
import { openRunLog } from "../stages/run-log.js";
import { STAGE1, seesSeedAndGuest } from "../stages/runners.js";
import type { Session } from "../stages/session.js";
import { readLock } from "../store/lock.js";
import { createRunDir } from "../store/run-dir.js";
import { listEntries, type StoreEntry } from "../store/store.js";
import { entryTree } from "../store/store-mode.js";
import type { VmBackend } from "../vm/backend.js";
import { sessionScript, type ShellMode } from "./guest-session.js";
import { assembleShellShare } from "./shell-share.js";

export interface PrepareShellOptions {
  stage: string;
  mode: ShellMode;
  rerun: boolean;
  session: Session;
}

export interface PreparedShell {
  stage: StageRecipe;
  mode: ShellMode;
  rerun: boolean;
  rootDir: string;
  outDir: string;
  logFile: string;
  /** What boots the session: the stage's backend and kernel, and the vCPUs it can have. */
  backend: VmBackend;
  kernel: string;
  cpus: number;
  /** Removes the session's share and scratch output. */
  dispose(): Promise<void>;
}

/** Stage 1's output provides init and ash: the entry this chain uses, else the locked one in the store. */
async function stage1Entry(stage: StageRecipe, inputs: Record<string, StoreEntry>, session: Session): Promise<StoreEntry> {
  if (inputs[STAGE1]) return inputs[STAGE1];
  const entries = (await listEntries(session.home)).filter((e) => e.record.stage === STAGE1);
  const locked = (await readLock(session.lockFile)).stages[STAGE1]?.output;
  const found = entries.find((e) => e.record.outputSha256 === locked) ?? entries[0];
  if (found) return found;
  if (stage.name === STAGE1) {
    throw new ZilchError({
      code: "STAGE",
      message: `a shell needs stage 1's init and ash, and the store holds no ${STAGE1} output`,
      hint: `build it once ('zilchboot build ${STAGE1}'); the shell then serves those tools at /zilchboot/shell`,
    });
  }
  session.log(`zilchboot shell ${stage.name}: the shell's init and ash come from ${STAGE1}, which the store lacks; building it first (Ctrl-C stops)`);
  return buildTarget(session, STAGE1);
}

/** The line a shell says before it builds what the store lacks (nothing when all is there): a
 *  shell that boots build VMs first must not look like it hangs. Pure. */
export function shellBuildNotice(steps: Array<Pick<PlanStep, "verdict"> & { stage: { name: string } }>, stage: string, mode: ShellMode): string | undefined {
  const missing = steps.filter((step) => step.verdict !== "reuse" && step.verdict !== "skip" && (step.stage.name !== stage || mode === "after")).map((step) => step.stage.name);
  if (missing.length === 0) return undefined;
  const what = missing.length === 1 ? "it" : `these ${missing.length}`;
  return `zilchboot shell ${stage}: the store lacks ${missing.join(", ")}; building ${what} first, as 'zilchboot build' would (Ctrl-C stops)`;
}

export async function prepareShell(opts: PrepareShellOptions): Promise<PreparedShell> {
  const { session } = opts;
  // The shell's tools (stage 1's init, busybox and the console helper) are x86_64 programs.
  const declared = await loadStage(session.recipesRoot, opts.stage);
  if (declared.arch !== "x86_64") {
    throw new ZilchError({ code: "USAGE", message: `zilchboot shell runs x86_64 stages only; ${declared.name} is ${declared.arch}`, hint: `debug it with 'zilchboot build ${declared.name} --keep --verbose', or with --runner native on a Linux host` });
  }
  // The plan up to the stage: its inputs built or reused exactly as a build would, said first.
  const notice = shellBuildNotice(await planTarget(session, opts.stage, { allInputs: true }), opts.stage, opts.mode);
  if (notice) session.log(notice);
  const { stage, inputs } = await buildInputs(session, opts.stage);
  const output = opts.mode === "after" ? await buildTarget(session, stage.name) : undefined;
  const tools = await stage1Entry(stage, inputs, session);
  // The shell's VM always gets host directories (linked trees): archive entries are refused here,
  // before anything is assembled.
  const needs = "zilchboot shell";
  const dependencies = Object.fromEntries(Object.entries(inputs).map(([name, e]) => [name, entryTree(e, needs)]));
  const outputTree = output ? entryTree(output, needs) : undefined;
  const toolsTree = entryTree(tools, needs);
  // The console helper runs under the x86_64 seed whatever the stage sees.
  const seed = (await session.provision.seed("x86_64")).path;
  const boot = await bootMaterials(session, stage, seesSeedAndGuest(stage) ? seed : null);

  // Locked while the session lives, so `gc` in another terminal leaves it alone.
  const run = await createRunDir(session.home, `shell-${stage.name}`);
  const runDir = run.dir;
  const logFile = await openRunLog(session.home, `shell-${stage.name}`, randomBytes(4).toString("hex"));
  const dispose = async () => {
    await fs.rm(runDir, { recursive: true, force: true });
    await run.release();
  };
  try {
    const { rootDir, outDir } = await assembleShellShare(runDir, {
      // The stage sees what its build would see (seed and /guest for seed-tcc stages only).
      stage: {
        ...(boot.seed ? { seed: boot.seed, guestDir: session.guestDir } : {}),
        recipeDir: stage.dir,
        recipeLib: stage.lib,
        sources: Object.fromEntries(Object.values(boot.sources).map((s) => [s.servedAs, s.path])),
        dependencies,
      },
      output: outputTree ? { stageName: stage.name, outDir: outputTree } : undefined,
      stage1OutDir: toolsTree,
      seed,
      sessionScript: sessionScript({ stage, mode: opts.mode, rerun: opts.rerun, cpus: boot.cpus }),
    });
    return { stage, mode: opts.mode, rerun: opts.rerun, rootDir, outDir, logFile, backend: boot.backend, kernel: boot.kernel.path, cpus: boot.cpus, dispose };
  } catch (error) {
    await dispose();
    throw error;
  }
}
