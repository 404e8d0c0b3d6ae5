// `zilchboot shell STAGE`: the stage's VM with ash on the console.
import { SHELL_HELP, runShellCommand, shellWords } from "../shell/command.js";
import type { CommandContext } from "./context.js";
import { stageArgs } from "./stage-args.js";
import { VM_HELP, sessionFromFlags } from "./vm-flags.js";

export const help = `${SHELL_HELP}
${VM_HELP.split("\n").filter((line) => !/^ {2}--runner|^ {19}\(weaker/.test(line)).join("\n")}`;

export async function run(ctx: CommandContext): Promise<void> {
  const words = shellWords(ctx.positionals, ctx.options, Boolean(process.stdin.isTTY && process.stdout.isTTY));
  stageArgs(ctx, "shell", { min: 1, max: 1 });
  await runShellCommand(words, await sessionFromFlags(ctx), ctx);
}
