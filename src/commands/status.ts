// `zilchboot status [--json]`: the chain at a glance; reads files only (no fetch, build or boot).
import { createHostSession } from "../host-session.js";
import { gatherStatus } from "../stages/status-facts.js";
import { formatStatus } from "../stages/status-table.js";
import type { CommandContext } from "./context.js";
import { fileFlag } from "./vm-values.js";
import { noPositionals } from "./words.js";

export const help = `Shows every stage in chain order (each after its inputs, names in numeric order): its lock entry,
whether the store holds its current input hash (planned as 'zilchboot plan' does, without a
cache), which runners produced and reproduced the lock entry with their vCPUs or jobs (from
recipes/provenance/STAGE.jsonl), and its typical wall time (the median of those runs, else the
store's record); then totals, and the stages not locked, without provenance or never run in a VM.
  --json           print the same as JSON
  --seed FILE      the x86_64 seed to plan with (default: the seed builder's last output)`;

export async function run(ctx: CommandContext): Promise<void> {
  noPositionals(ctx, "status");
  const seedFile = fileFlag(ctx, "seed", "a static tcc (e.g. images/tcc-seed from 'zilchboot seed')");
  const status = await gatherStatus(createHostSession({ seedFile, log: ctx.log }));
  if (ctx.options.json === true) ctx.print(JSON.stringify(status, null, 2));
  else for (const line of formatStatus(status)) ctx.print(line);
}
