// `zilchboot ls`: the store's entries, as a table with a header; an empty store says so.
import { workDir } from "../paths.js";
import { storeRoot, listEntries } from "../store/store.js";
import { alignColumns } from "../text-table.js";
import type { CommandContext } from "./context.js";
import { noPositionals } from "./words.js";

export const help = "Lists every store entry: stage, output sha256, file count, bytes, path; says so when the store is empty.";

export async function run(ctx: CommandContext): Promise<void> {
  noPositionals(ctx, "ls");
  const entries = await listEntries(workDir());
  if (entries.length === 0) {
    ctx.print(`the store (${storeRoot(workDir())}) is empty; 'zilchboot build' fills it`);
    return;
  }
  const rows = entries.map(({ record: r, archive, outDir }) => [r.stage, r.outputSha256, String(r.outputFiles), String(r.outputBytes), archive ?? outDir]);
  for (const line of alignColumns([["stage", "output sha256", "files", "bytes", "path"], ...rows])) ctx.print(line);
}
