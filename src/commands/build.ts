// `zilchboot build [STAGE]`: plan, then build what the store lacks; a summary table, and a --json
// report whether the build succeeded or not.
import path from "node:path";
import { str } from "../cli-options.js";
import { workDir } from "../paths.js";
import { HEARTBEAT_MS, Progress } from "../progress.js";
import { buildTarget } from "../stages/chain.js";
import type { CommandContext } from "./context.js";
import { DEFAULT_TARGET } from "./defaults.js";
import { stageArgs } from "./stage-args.js";
import { CACHE_HELP } from "./cache-flags.js";
import { VM_HELP, errorReport, progressHooks, sessionFromFlags } from "./vm-flags.js";
import { describeEntry } from "./words.js";

export const help = `Plans the chain up to STAGE and builds, inputs first, each stage the store does not hold, each in a
fresh VM with only its declared inputs; outputs go to the store (${path.join(workDir(), "store")}).
  --keep           keep the run directory of a failed build
  --force          rebuild STAGE even when the store holds the same input hash
  --update-lock    accept an output that differs from recipes/lock.json and record it
                   (every new lock entry gets its provenance in recipes/provenance/STAGE.jsonl)
  --json FILE      also write a machine-readable report (per stage: cached/pulled/built, time,
                   hashes, log, what the shared cache did; the stages skipped as not needed;
                   on failure also the error)
${CACHE_HELP}
${VM_HELP}`;

export async function run(ctx: CommandContext): Promise<void> {
  const target = ctx.positionals[0] ?? DEFAULT_TARGET;
  const json = str(ctx, "json");
  const progress = new Progress(process.stderr, ctx.tty && !ctx.verbose, !ctx.tty && !ctx.verbose ? HEARTBEAT_MS : 0);
  try {
    // Inside: a --json report names a bad stage or flag value too.
    stageArgs(ctx, "build", { min: 0, max: 1 });
    const session = await sessionFromFlags(ctx, progress, { cache: true });
    const entry = await buildTarget(session, target, {
      force: ctx.options.force === true,
      keep: ctx.options.keep === true,
      updateLock: ctx.options["update-lock"] === true,
      ...progressHooks(progress, session),
    });
    progress.stopLive();
    for (const line of progress.summary()) ctx.log(line);
    if (json) await progress.writeJson(json, target);
    ctx.print(describeEntry(entry));
  } catch (error) {
    progress.stopLive();
    if (json) await progress.writeJson(json, target, errorReport(error));
    throw error;
  }
}
