// `zilchboot gc`: the store keeps what the lock names; run directories no live process holds are
// leftovers. Entries and runs another process is using are kept (src/store/gc.ts). Each line names
// what it removed by its store name, and a last line counts them, so an empty run says so.
import path from "node:path";
import { recipesDir, workDir } from "../paths.js";
import { collectGarbage } from "../store/gc.js";
import type { CommandContext } from "./context.js";
import { noPositionals } from "./words.js";

export const help = `Deletes store entries whose (stage, output hash) is not in recipes/lock.json, the store's leftovers
(.corrupt, .replaced), and run directories no live process holds; entries and runs in use by
another process are kept. Prints one line per thing removed, then a count.
  --dry-run        print what would be removed, and remove nothing`;

function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export async function run(ctx: CommandContext): Promise<void> {
  noPositionals(ctx, "gc");
  const dryRun = ctx.options["dry-run"] === true;
  const report = await collectGarbage({ workDir: workDir(), lockFile: path.join(recipesDir(), "lock.json"), log: ctx.log, dryRun });
  const verb = dryRun ? "would remove" : "removed";
  for (const dir of report.removedEntries) ctx.print(`${verb} store entry ${path.basename(dir)}`);
  for (const dir of report.removedLeftovers) ctx.print(`${verb} leftover ${path.basename(path.dirname(dir))}/${path.basename(dir)}`);
  for (const dir of report.removedRuns) ctx.print(`${verb} run ${path.basename(dir)}`);
  for (const dir of report.busyEntries) ctx.print(`kept store entry ${path.basename(dir)} (in use by another process)`);
  for (const dir of report.busyRuns) ctx.print(`kept run ${path.basename(dir)} (in use by another process)`);
  const removed = [count(report.removedEntries.length, "store entry", "store entries"), count(report.removedLeftovers.length, "leftover"), count(report.removedRuns.length, "run")];
  ctx.log(`gc: ${verb} ${removed.join(", ")}; kept ${count(report.keptEntries, "entry", "entries")} the lock names${report.busyEntries.length + report.busyRuns.length > 0 ? ` and ${report.busyEntries.length + report.busyRuns.length} in use` : ""}${dryRun ? " (dry run: nothing was removed)" : ""}`);
}
