// The last line of a failed stage's message: the exact command, flags and environment that reopen
// it (`zilchboot shell STAGE --rerun …`), or why `shell` cannot open it and what to run instead.
import type { StageRecipe } from "./recipe.js";
import type { Reproduction } from "./session.js";

/** POSIX-shell quoting, only where a word needs it. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

function commandLine(reproduce: Reproduction, words: string[]): string {
  const env = Object.entries(reproduce.env).map(([name, value]) => `${name}=${shellQuote(value)}`);
  return [...env, "zilchboot", ...words.map(shellQuote), ...reproduce.flags.map(shellQuote)].join(" ");
}

export function rerunHint(stage: Pick<StageRecipe, "name" | "arch">, reproduce: Reproduction, cpus: number): string {
  const cpusFlag = ["--cpus", String(cpus)];
  if (stage.arch !== "x86_64") {
    return `zilchboot shell cannot open ${stage.name} (an ${stage.arch} stage; the shell's tools are x86_64); to keep its run directory and watch the console: ${commandLine(reproduce, ["build", stage.name, "--keep", "--verbose", ...cpusFlag])}`;
  }
  const shell = commandLine(reproduce, ["shell", stage.name, "--rerun", ...cpusFlag]);
  if (reproduce.native) return `to debug it in a VM (shell needs one; this run used --runner native), re-run the stage and get a shell in its build tree: ${shell}`;
  return `to debug it, re-run the stage in its VM and get a shell in its build tree: ${shell}`;
}
