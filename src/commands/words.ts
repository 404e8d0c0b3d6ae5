// Positional-argument checks shared by commands.
import { ZilchError } from "../errors.js";
import type { StoreEntry } from "../store/store.js";
import type { CommandContext } from "./context.js";

export function noPositionals(ctx: CommandContext, command: string): void {
  if (ctx.positionals.length > 0) {
    throw new ZilchError({ code: "USAGE", message: `${command} takes no arguments, got ${ctx.positionals.join(" ")}`, hint: `run 'zilchboot ${command} --help'` });
  }
}

/** One line per store entry, as `build` and `ls` print it. */
export function describeEntry(entry: StoreEntry): string {
  const r = entry.record;
  return `${r.stage}  out ${r.outputSha256}  ${r.outputFiles} files ${r.outputBytes} bytes  ${entry.archive ?? entry.outDir}`;
}
