// Gets a shell session's guest root ready: the stage's inputs (built or reused as a build would),
// its output with --after, and stage 1's tools. Nothing here boots the session's own VM.
import fs from "node:fs/promises";
import path from "node:path";
import { ZilchError } from "../errors.js";
import { provideStageSources } from "../provision.js";
import { buildChain, type ChainOptions } from "../stages/chain.js";
import { loadStage, type StageRecipe } from "../stages/recipe.js";
import { STAGE1, seesSeedAndGuest } from "../stages/runners.js";
import { readLock } from "../store/lock.js";
import { createRunDir } from "../store/run-dir.js";
import { listEntries, type StoreEntry } from "../store/store.js";
import { sessionScript, type ShellMode } from "./guest-session.js";
import { assembleShellShare } from "./shell-share.js";

export interface PrepareShellOptions {
  stage: string;
  mode: ShellMode;
  rerun: boolean;
  chain: ChainOptions;
}

export interface PreparedShell {
  stage: StageRecipe;
  mode: ShellMode;
  rerun: boolean;
  rootDir: string;
  outDir: string;
  logFile: string;
  /** Removes the session's share and scratch output. */
  dispose(): Promise<void>;
}

/** Stage 1's output provides init and ash: the entry this chain uses, else the locked one in the store. */
async function stage1Entry(stage: StageRecipe, inputs: Record<string, StoreEntry>, chain: ChainOptions): Promise<StoreEntry> {
  if (inputs[STAGE1]) return inputs[STAGE1];
  const entries = (await listEntries(chain.workDir)).filter((e) => e.record.stage === STAGE1);
  const locked = chain.lockFile ? (await readLock(chain.lockFile)).stages[STAGE1]?.output : undefined;
  const found = entries.find((e) => e.record.outputSha256 === locked) ?? entries[0];
  if (found) return found;
  if (stage.name === STAGE1) {
    throw new ZilchError({
      code: "STAGE",
      message: `a shell needs stage 1's init and ash, and the store holds no ${STAGE1} output`,
      hint: `build it once ('zilchboot build ${STAGE1}'); the shell then serves those tools at /zilchboot/shell`,
    });
  }
  return buildChain(STAGE1, chain);
}

export async function prepareShell(opts: PrepareShellOptions): Promise<PreparedShell> {
  const { chain } = opts;
  const stage = await loadStage(chain.recipesRoot, opts.stage);
  // The shell's tools (stage 1's init, busybox and the console helper) are x86_64 programs.
  if (stage.arch !== "x86_64") {
    throw new ZilchError({ code: "USAGE", message: `zilchboot shell runs x86_64 stages only; ${stage.name} is ${stage.arch}`, hint: `debug it with 'zilchboot build ${stage.name} --keep --verbose', or with --runner native on a Linux host` });
  }
  const inputs: Record<string, StoreEntry> = {};
  for (const input of stage.inputs) inputs[input] = await buildChain(input, chain);
  const output = opts.mode === "after" ? await buildChain(stage.name, chain) : undefined;
  const tools = await stage1Entry(stage, inputs, chain);
  const sources = await provideStageSources(stage, chain.provision);

  // Locked while the session lives, so `gc` in another terminal leaves it alone.
  const run = await createRunDir(chain.workDir, `shell-${stage.name}`);
  const runDir = run.dir;
  const logFile = path.join(chain.workDir, "logs", `shell-${stage.name}.log`);
  await fs.mkdir(path.dirname(logFile), { recursive: true });
  const dispose = async () => {
    await fs.rm(runDir, { recursive: true, force: true });
    await run.release();
  };
  try {
    const { rootDir, outDir } = await assembleShellShare(runDir, {
      // The stage sees what its build would see (seed and /guest for seed-tcc stages only).
      stage: {
        ...(seesSeedAndGuest(stage) ? { seed: chain.seed, guestDir: chain.guestDir } : {}),
        recipeDir: stage.dir,
        recipeLibDir: stage.libDir,
        sources: Object.fromEntries(Object.values(sources).map((s) => [s.servedAs, s.path])),
        dependencies: Object.fromEntries(Object.entries(inputs).map(([name, e]) => [name, e.outDir])),
      },
      output: output ? { stageName: stage.name, outDir: output.outDir } : undefined,
      stage1OutDir: tools.outDir,
      seed: chain.seed,
      sessionScript: sessionScript({ stage, mode: opts.mode, rerun: opts.rerun, cpus: chain.cpus }),
    });
    return { stage, mode: opts.mode, rerun: opts.rerun, rootDir, outDir, logFile, dispose };
  } catch (error) {
    await dispose();
    throw error;
  }
}
