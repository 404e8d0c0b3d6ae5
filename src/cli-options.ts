// Reading typed flag values out of a command's parsed options, with one-line usage errors.
import { ZilchError } from "./errors.js";
import type { CommandContext } from "./commands/context.js";

type Options = Pick<CommandContext, "options">;

/** `example`: a typical value, for the hint. */
export function positiveInt(ctx: Options, name: string, fallback: number, example = 2): number {
  const raw = ctx.options[name];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    throw new ZilchError({ code: "USAGE", message: `--${name} expects a positive integer, got ${JSON.stringify(raw)}`, hint: `e.g. --${name} ${example}` });
  }
  return value;
}

export function str(ctx: Options, name: string): string | undefined {
  const value = ctx.options[name];
  return typeof value === "string" ? value : undefined;
}
