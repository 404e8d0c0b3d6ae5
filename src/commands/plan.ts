// `zilchboot plan [STAGE]`: the planner's verdicts; reads files only (no fetch, build or boot).
import { createHostSession } from "../host-session.js";
import { recipesDir } from "../paths.js";
import { planTarget } from "../stages/chain.js";
import { stepCells } from "../stages/plan.js";
import { alignColumns } from "../text-table.js";
import { stageCacheFromFlags } from "./cache-flags.js";
import type { CommandContext } from "./context.js";
import { DEFAULT_TARGET } from "./defaults.js";
import { stageArgs } from "./stage-args.js";
import { fileFlag } from "./vm-values.js";

export const help = `Computes each needed stage's input hash (recipe files, guest headers, seed, source pins, inputs'
outputs) and looks it up in the store, then in the shared cache; prints local (the store has it) /
remote (the cache has an entry the lock or a trusted key vouches for) / build / skip (not needed:
only stages taken from the store or the cache use it) / unknown-until-inputs-built per stage,
inputs first, with the reason. Nothing is fetched or built:
the seed's sha256 comes from --seed or from the seed builder's last output (images/), else seed-tcc
stages show as unknown.
  --seed FILE      the x86_64 seed to plan with
  --cache URL      also ask this shared cache (default $ZILCHBOOT_CACHE_URL); reads records only`;

export async function run(ctx: CommandContext): Promise<void> {
  const target = stageArgs(ctx, "plan", { min: 0, max: 1 })[0] ?? DEFAULT_TARGET;
  const seedFile = fileFlag(ctx, "seed", "a static tcc (e.g. images/tcc-seed from 'zilchboot seed')");
  const cache = await stageCacheFromFlags(ctx, recipesDir());
  const session = createHostSession({ seedFile, log: ctx.log, cache });
  // Aligned: names and verdicts differ in length, and a ragged table hides which stages differ.
  for (const line of alignColumns((await planTarget(session, target)).map(stepCells))) ctx.print(line);
}
