#!/usr/bin/env node
// Thin adapter: parse flags, call one command, print, set the exit code. The only place that exits.
import { parseArgs, type ParseArgsConfig } from "node:util";
import { ZilchError, isZilchError } from "./errors.js";
import { COMMANDS, type CommandContext } from "./commands.js";

const GLOBAL_OPTIONS = {
  help: { type: "boolean", short: "h" },
  verbose: { type: "boolean", short: "v" },
  mirror: { type: "string", multiple: true },
  seed: { type: "string" },
  kernel: { type: "string" },
  accel: { type: "string" },
  qemu: { type: "string" },
  cpus: { type: "string" },
  memory: { type: "string" },
  timeout: { type: "string" },
  keep: { type: "boolean" },
  force: { type: "boolean" },
  "update-lock": { type: "boolean" },
  json: { type: "string" },
  runner: { type: "string" },
  display: { type: "boolean" },
  net: { type: "boolean" },
  until: { type: "string" },
  log: { type: "string" },
  before: { type: "boolean" },
  after: { type: "boolean" },
  rerun: { type: "boolean" },
  web: { type: "boolean" },
  backend: { type: "string" },
  arch: { type: "string" },
} satisfies ParseArgsConfig["options"];

const USAGE = `usage: zilchboot <command> [options]

Bootstraps a toolchain from a seed tcc inside hermetic VMs.

commands:
${Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(8)} ${c.summary}`).join("\n")}

Run 'zilchboot <command> --help' for a command's options.`;

async function main(argv: string[]): Promise<number> {
  const [commandName, ...rest] = argv;
  if (!commandName || commandName === "--help" || commandName === "-h" || commandName === "help") {
    process.stdout.write(USAGE + "\n");
    return commandName ? 0 : 2;
  }
  const command = COMMANDS[commandName];
  if (!command) {
    process.stderr.write(`zilchboot: unknown command ${JSON.stringify(commandName)}; run 'zilchboot --help' for the list\n`);
    return 2;
  }
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: GLOBAL_OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    process.stderr.write(`zilchboot ${commandName}: ${(error as Error).message}; run 'zilchboot ${commandName} --help'\n`);
    return 2;
  }
  if (parsed.values.help) {
    process.stdout.write(`usage: zilchboot ${commandName} ${command.usage}\n\n${command.help}\n`);
    return 0;
  }
  const verbose = parsed.values.verbose ?? false;
  const interrupt = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    if (interrupt.signal.aborted) process.exit(130);
    process.stderr.write(`zilchboot: ${name}, stopping\n`);
    interrupt.abort();
    // Host builds (kernel, seed) do not listen for the abort: don't outlive them by much.
    setTimeout(() => process.exit(130), 10_000).unref();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const context: CommandContext = {
    positionals: parsed.positionals,
    options: parsed.values,
    verbose,
    tty: process.stderr.isTTY ?? false,
    log: (line) => process.stderr.write(`${line}\n`),
    print: (line) => process.stdout.write(`${line}\n`),
    signal: interrupt.signal,
  };
  try {
    await command.run(context);
    return 0;
  } catch (error) {
    if (isZilchError(error)) {
      process.stderr.write(`zilchboot: ${error.line}\n`);
      for (const line of error.details) process.stderr.write(`${line}\n`);
      if (verbose && error.cause instanceof Error) process.stderr.write(`${error.cause.stack}\n`);
      if (interrupt.signal.aborted) return 130;
      return error.code === "USAGE" ? 2 : 1;
    }
    process.stderr.write(`zilchboot: internal error: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}

export { ZilchError };
process.exitCode = await main(process.argv.slice(2));
