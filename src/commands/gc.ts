// `zilchboot gc`: the store keeps what the lock names; run directories are leftovers.
import fs from "node:fs/promises";
import path from "node:path";
import { recipesDir, workDir } from "../paths.js";
import { readLock } from "../store/lock.js";
import { listEntries } from "../store/store.js";
import type { CommandContext } from "./context.js";
import { noPositionals } from "./words.js";

export const help = "Deletes store entries whose (stage, output hash) is not in recipes/lock.json, and leftover run directories.";

export async function run(ctx: CommandContext): Promise<void> {
  noPositionals(ctx, "gc");
  const lock = await readLock(path.join(recipesDir(), "lock.json"));
  for (const entry of await listEntries(workDir())) {
    if (lock.stages[entry.record.stage]?.output === entry.record.outputSha256) continue;
    await fs.rm(entry.dir, { recursive: true, force: true });
    ctx.print(`removed ${entry.dir}`);
  }
  await fs.rm(path.join(workDir(), "runs"), { recursive: true, force: true });
}
