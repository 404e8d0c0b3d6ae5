// `zilchboot gc`: the store keeps what the lock names; run directories no live process holds are
// leftovers. Entries and runs another process is using are kept (src/store/gc.ts).
import path from "node:path";
import { recipesDir, workDir } from "../paths.js";
import { collectGarbage } from "../store/gc.js";
import type { CommandContext } from "./context.js";
import { noPositionals } from "./words.js";

export const help = "Deletes store entries whose (stage, output hash) is not in recipes/lock.json, and run directories no live process holds; entries and runs in use by another process are kept.";

export async function run(ctx: CommandContext): Promise<void> {
  noPositionals(ctx, "gc");
  const report = await collectGarbage({ workDir: workDir(), lockFile: path.join(recipesDir(), "lock.json"), log: ctx.log });
  for (const dir of [...report.removedEntries, ...report.removedRuns]) ctx.print(`removed ${dir}`);
  for (const dir of [...report.busyEntries, ...report.busyRuns]) ctx.print(`kept ${dir} (in use by another process)`);
}
