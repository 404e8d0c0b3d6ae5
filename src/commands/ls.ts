// `zilchboot ls`: the store's entries.
import { workDir } from "../paths.js";
import { listEntries } from "../store/store.js";
import type { CommandContext } from "./context.js";
import { describeEntry, noPositionals } from "./words.js";

export const help = "Lists every store entry: stage, output sha256, file count, bytes, path.";

export async function run(ctx: CommandContext): Promise<void> {
  noPositionals(ctx, "ls");
  for (const entry of await listEntries(workDir())) ctx.print(describeEntry(entry));
}
