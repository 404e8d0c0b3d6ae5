// Parses one command's words against its own option spec. A flag the command does not take is a
// usage error that lists the ones it does.
import { parseArgs } from "node:util";
import { ZilchError } from "../errors.js";
import type { OptionSpec } from "./context.js";

export interface ParsedWords {
  positionals: string[];
  options: Record<string, string | boolean | string[] | undefined>;
}

export function describeFlags(options: OptionSpec): string {
  return Object.keys(options).sort().map((name) => `--${name}`).join(", ");
}

export function parseCommandWords(command: string, options: OptionSpec, args: string[]): ParsedWords {
  // A lenient pass first, to name an unknown flag our way rather than node's.
  const { tokens } = parseArgs({ args, options, allowPositionals: true, strict: false, tokens: true });
  for (const token of tokens) {
    if (token.kind === "option" && !(token.name in options)) {
      throw new ZilchError({ code: "USAGE", message: `${command} does not take ${token.rawName} (it takes: ${describeFlags(options)})`, hint: `run 'zilchboot ${command} --help'` });
    }
  }
  try {
    const parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
    return { positionals: parsed.positionals, options: parsed.values as ParsedWords["options"] };
  } catch (cause) {
    // node's messages may span lines ("… argument is ambiguous.\nDid you forget …"): one line here.
    const message = (cause as Error).message.split("\n").map((line) => line.trim()).filter(Boolean).join(" ");
    throw new ZilchError({ code: "USAGE", message: `${command}: ${message}`, hint: `run 'zilchboot ${command} --help'`, cause });
  }
}
