// The stages a command names, checked before any work: each must exist (a typo gets a "did you
// mean"), and their count must fit, so `verify A typo` does not rebuild A before noticing typo
// and `plan A B` does not silently drop B.
import { ZilchError } from "../errors.js";
import { recipesDir } from "../paths.js";
import { listStagesSync, unknownStage } from "../stages/recipe.js";
import type { CommandContext } from "./context.js";

/** `max`: Infinity for commands that take a list. `recipesRoot`: for tests. */
export function stageArgs(ctx: Pick<CommandContext, "positionals">, command: string, count: { min: number; max: number }, recipesRoot = recipesDir()): string[] {
  const names = ctx.positionals;
  if (names.length < count.min || names.length > count.max) {
    const wanted = count.max === 1 ? (count.min === 1 ? "one stage" : "at most one stage") : "one or more stages";
    throw new ZilchError({
      code: "USAGE",
      message: `${command} takes ${wanted}, got ${names.length === 0 ? "none" : names.join(" ")}`,
      hint: names.length === 0 ? `known stages: ${listStagesSync(recipesRoot).join(", ")}` : `run 'zilchboot ${command} --help'`,
    });
  }
  const known = new Set(listStagesSync(recipesRoot));
  for (const name of names) if (!known.has(name)) throw unknownStage(name, recipesRoot);
  return names;
}
