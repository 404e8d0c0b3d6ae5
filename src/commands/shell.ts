// `zilchboot shell STAGE`: the stage's VM with ash on the console.
import { SHELL_HELP, runShellCommand, shellWords } from "../shell/command.js";
import type { CommandContext } from "./context.js";
import { stageArgs } from "./stage-args.js";
import { sessionFromFlags, vmHelp } from "./vm-flags.js";

// No --runner (a shell needs a VM console); a shell's VM runs until the shell exits.
export const help = `${SHELL_HELP}
${vmHelp({ "--runner NAME": null, "--timeout SEC": "kill the VM after SEC seconds (default: a day)" })}`;

export async function run(ctx: CommandContext): Promise<void> {
  const words = shellWords(ctx.positionals, ctx.options, Boolean(process.stdin.isTTY && process.stdout.isTTY));
  stageArgs(ctx, "shell", { min: 1, max: 1 });
  await runShellCommand(words, await sessionFromFlags(ctx), ctx);
}
