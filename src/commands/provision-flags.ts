// --mirror, the terminal and --verbose → how fetch, seed, kernel and probe provide things.
import os from "node:os";
import type { ProvisionOptions } from "../provision.js";
import type { CommandContext } from "./context.js";

export function provisionOptions(ctx: CommandContext): ProvisionOptions {
  const mirrors = ctx.options.mirror;
  return { mirrors: Array.isArray(mirrors) ? mirrors : [], progress: ctx.tty, log: ctx.log, verbose: ctx.verbose, jobs: os.availableParallelism() };
}
