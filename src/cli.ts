#!/usr/bin/env node
// Thin adapter: parse the command's own flags, load and call that one command, print, set the exit
// code. The only place that exits. Command code is loaded only for the command that runs.
import { readFileSync } from "node:fs";
import path from "node:path";
import { didYouMean } from "./did-you-mean.js";
import { isZilchError } from "./errors.js";
import { oldVariableWarnings, repoRoot } from "./paths.js";
import { COMMANDS } from "./commands/index.js";
import type { CommandContext } from "./commands/context.js";
import { parseCommandWords } from "./commands/flags.js";

const USAGE = `usage: zilchboot <command> [options]

Bootstraps a toolchain from a seed tcc inside hermetic VMs.

commands:
${Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(Math.max(...Object.keys(COMMANDS).map((n) => n.length)))} ${c.summary}`).join("\n")}

Run 'zilchboot <command> --help' for a command's options, 'zilchboot --version' for the version.
Exit status: 0 done, 1 the work failed, 2 the command line is wrong (nothing was started).`;

/** The installed package's version, as npm knows it. */
function version(): string {
  return (JSON.parse(readFileSync(path.join(repoRoot, "package.json"), "utf8")) as { version: string }).version;
}

async function main(argv: string[]): Promise<number> {
  const [commandName, ...rest] = argv;
  if (!commandName || commandName === "--help" || commandName === "-h" || commandName === "help") {
    process.stdout.write(USAGE + "\n");
    return commandName ? 0 : 2;
  }
  if (commandName === "--version" || commandName === "-V") {
    process.stdout.write(`zilchboot ${version()}\n`);
    return 0;
  }
  const spec = Object.hasOwn(COMMANDS, commandName) ? COMMANDS[commandName] : undefined;
  if (!spec) {
    const close = didYouMean(commandName, Object.keys(COMMANDS));
    process.stderr.write(`zilchboot: unknown command ${JSON.stringify(commandName)}${close ? ` (${close})` : ""}; run 'zilchboot --help' for the list\n`);
    return 2;
  }
  const verbose = rest.includes("--verbose") || rest.includes("-v");
  const interrupt = new AbortController();
  try {
    const words = parseCommandWords(commandName, spec.options, rest);
    const command = await spec.load();
    if (words.options.help) {
      process.stdout.write(`usage: zilchboot ${commandName} ${spec.usage}\n\n${command.help}\n`);
      return 0;
    }
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
      positionals: words.positionals,
      options: words.options,
      verbose: words.options.verbose === true,
      tty: process.stderr.isTTY ?? false,
      log: (line) => process.stderr.write(`${line}\n`),
      print: (line) => process.stdout.write(`${line}\n`),
      signal: interrupt.signal,
    };
    for (const line of oldVariableWarnings()) context.log(line);
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

process.exitCode = await main(process.argv.slice(2));
