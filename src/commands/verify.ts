// `zilchboot verify STAGE...`: rebuild and compare with the lock, which it never writes.
import path from "node:path";
import { str } from "../cli-options.js";
import { HEARTBEAT_MS, Progress } from "../progress.js";
import { verifyTarget } from "../stages/chain.js";
import type { CommandContext } from "./context.js";
import { CACHE_HELP } from "./cache-flags.js";
import { stageArgs } from "./stage-args.js";
import { VM_HELP, errorReport, progressHooks, sessionFromFlags } from "./vm-flags.js";

export const help = `Rebuilds each named stage in a fresh VM (its inputs come from the store or are built first) and fails
unless its output hash equals the lock's. The rebuilt output is compared, not stored; the lock is
never written, and a stage it has no entry for fails at once. Logs stay in the home's logs/.
  --keep           keep the rebuilt output (its path is printed)
  --attest         append the matching rebuild's provenance (runner, vCPUs or jobs, wall time,
                   every input's digest) to recipes/provenance/STAGE.jsonl, as evidence beside
                   the lock entry
  --json FILE      also write a machine-readable report (on failure too, with the error)
${CACHE_HELP}
${VM_HELP}`;

function shown(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative.startsWith("..") || path.isAbsolute(relative) ? file : relative;
}

export async function run(ctx: CommandContext): Promise<void> {
  const json = str(ctx, "json");
  const progress = new Progress(process.stderr, ctx.tty && !ctx.verbose, !ctx.tty && !ctx.verbose ? HEARTBEAT_MS : 0);
  const target = ctx.positionals.join(" ");
  try {
    // Inside: a --json report names a bad stage or flag value too.
    const stages = stageArgs(ctx, "verify", { min: 1, max: Infinity });
    const session = await sessionFromFlags(ctx, progress, { cache: true });
    for (const stage of stages) {
      const result = await verifyTarget(session, stage, { keep: ctx.options.keep === true, ...progressHooks(progress, session) });
      progress.stopLive();
      if (result.keptOutput) ctx.log(`${stage}: kept the rebuilt output in ${result.keptOutput}`);
      ctx.print(`${stage}: reproduced ${result.output} (matches ${shown(session.lockFile)})`);
      if (ctx.options.attest === true) {
        const { attestRun } = await import("../provenance/provenance-log.js");
        ctx.print(`${stage}: attested the rebuild in ${shown(await attestRun(session.lockFile, result.record, "reproduction", ctx.log))}`);
      }
    }
    for (const line of progress.summary()) ctx.log(line);
    if (json) await progress.writeJson(json, target);
  } catch (error) {
    progress.stopLive();
    if (json) await progress.writeJson(json, target, errorReport(error));
    throw error;
  }
}
