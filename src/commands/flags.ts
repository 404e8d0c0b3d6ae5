// Parses one command's words against its own option spec. A flag the command does not take is a
// usage error that suggests the closest one or lists the ones it takes; a missing or misplaced
// value is one line in our words, never node's parser text.
import { parseArgs } from "node:util";
import { closeNames } from "../did-you-mean.js";
import { ZilchError } from "../errors.js";
import type { OptionSpec } from "./context.js";

export interface ParsedWords {
  positionals: string[];
  options: Record<string, string | boolean | string[] | undefined>;
}

export function describeFlags(options: OptionSpec): string {
  return Object.keys(options).sort().map((name) => `--${name}`).join(", ");
}

/** A value that starts with a dash but is a number (`--timeout -1`): the value checks say what is
 *  wrong with it, where node would call it ambiguous. */
const NEGATIVE_NUMBER = /^-\d/;

export function parseCommandWords(command: string, options: OptionSpec, args: string[]): ParsedWords {
  const usage = (message: string, cause?: unknown) => new ZilchError({ code: "USAGE", message: `${command}: ${message}`, hint: `run 'zilchboot ${command} --help'`, cause });
  // A lenient pass first, to name each problem our way rather than node's.
  const { tokens } = parseArgs({ args, options, allowPositionals: true, strict: false, tokens: true });
  // `--timeout -1` becomes `--timeout=-1`: word index → its replacement, and the value's index dropped.
  const joined = new Map<number, string>();
  for (const token of tokens) {
    if (token.kind !== "option") continue;
    const spec = Object.hasOwn(options, token.name) ? options[token.name] : undefined;
    if (!spec) {
      const close = closeNames(token.name, Object.keys(options), 1);
      if (close.length > 0) throw new ZilchError({ code: "USAGE", message: `${command} does not take ${token.rawName} (did you mean --${close[0]}?)`, hint: `run 'zilchboot ${command} --help'` });
      throw new ZilchError({ code: "USAGE", message: `${command} does not take ${token.rawName} (it takes: ${describeFlags(options)})`, hint: `run 'zilchboot ${command} --help'` });
    }
    if (spec.type === "boolean" && token.value !== undefined) throw usage(`${token.rawName} takes no value, got ${JSON.stringify(token.value)}`);
    if (spec.type !== "string") continue;
    if (token.value === undefined) throw usage(`${token.rawName} needs a value`);
    if (token.inlineValue || !token.value.startsWith("-")) continue;
    if (!NEGATIVE_NUMBER.test(token.value)) {
      throw new ZilchError({ code: "USAGE", message: `${command}: ${token.rawName} needs a value, got the flag ${token.value}`, hint: `put the value after ${token.rawName} (one that starts with a dash is written ${token.rawName}=VALUE)` });
    }
    joined.set(token.index, `${token.rawName}=${token.value}`).set(token.index + 1, "");
  }
  const words = args.flatMap((word, i) => (joined.get(i) === "" ? [] : [joined.get(i) ?? word]));
  try {
    const parsed = parseArgs({ args: words, options, allowPositionals: true, strict: true });
    return { positionals: parsed.positionals, options: parsed.values as ParsedWords["options"] };
  } catch (cause) {
    // A backstop: node's messages may span lines ("… argument is ambiguous.\nDid you forget …").
    throw usage((cause as Error).message.split("\n").map((line) => line.trim()).filter(Boolean).join(" "), cause);
  }
}
