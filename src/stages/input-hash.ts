// A stage's input hash: everything that may influence its output and nothing about the host, nor
// anything of its declaration that cannot change the output (description, timeout, memory, small).
import { createHash } from "node:crypto";
import { hashTree, treeManifest } from "../store/tree-hash.js";
import type { StageRecipe } from "./recipe.js";
import { libHash } from "./recipe-lib.js";
import { guestCommandTemplate } from "./runners.js";

/** Bumped whenever what the hash covers changes, so old store entries are never reused by mistake.
 *  2: the recipe hash covers stage.json's output-relevant fields instead of the file, plus the
 *  recipe library and the resolved guest command. Not bumped when the library part became the
 *  declared "lib" entries only: that moved every shell stage's hash by itself (a new lib value),
 *  while seed-tcc stages, which see no library, cover the same as before and keep their entries. */
export const INPUT_HASH_VERSION = 2;

export interface StageInputs {
  stage: string;
  /** recipeTreeHash(stage): the recipe's files, its declaration's output-relevant fields, the
   *  recipe library it sees and its guest command. */
  recipeTree: string;
  /** sha256 of vm/guest (headers the guest programs include); null for stages that do not see it. */
  guestTree: string | null;
  /** null for stages that do not see the seed (shell stages run their tools). */
  seedSha256: string | null;
  /** pin name → sha256 */
  sources: Record<string, string>;
  /** dependency stage → its output hash */
  dependencies: Record<string, string>;
  /** The guest arch; absent for x86_64. */
  arch?: string;
}

function sortedObject(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

export function inputHash(inputs: StageInputs): string {
  return sha256(JSON.stringify({
    version: INPUT_HASH_VERSION,
    stage: inputs.stage,
    recipeTree: inputs.recipeTree,
    guestTree: inputs.guestTree,
    seedSha256: inputs.seedSha256,
    sources: sortedObject(inputs.sources),
    dependencies: sortedObject(inputs.dependencies),
    ...(inputs.arch === undefined || inputs.arch === "x86_64" ? {} : { arch: inputs.arch }),
  }));
}

/** The fields of a declaration that can change the output, in a fixed order with defaults filled
 *  in (so `"args": []` and no "args" hash alike). A variant's are its own declaration's. Not here:
 *  description, timeoutSeconds, memoryMiB, small (how a run is watched, not what it makes) and
 *  provides (what the output offers others: part of their hashes, through their guest command). */
export function outputFields(stage: StageRecipe): object {
  return {
    runner: stage.runner,
    program: stage.program,
    args: stage.args,
    sources: stage.sources.map((s) => ({ pin: s.pin, unpackAs: s.unpackAs ?? null, strip: s.strip })),
    inputs: stage.inputs,
    tools: (stage.tools ?? []).map((t) => t.stage),
    env: sortedObject(stage.env ?? {}),
    arch: stage.arch,
  };
}

/** The tree's hash without the top-level stage.json (not served to the guest; its relevant fields
 *  are hashed as outputFields). */
async function filesHash(dir: string): Promise<string> {
  const { entries } = await hashTree(dir);
  return sha256(treeManifest(entries.filter((e) => e.path !== "stage.json")));
}

/** The recipe's hash (StageInputs.recipeTree): what the guest finds at /recipe (a variant's are the
 *  borrowed files), at /recipe-lib for shell stages (the declared "lib" entries only), the declaration's output fields, and the guest
 *  command with its PID 1, PATH and environment, which come from the tools' "provides". */
export async function recipeTreeHash(stage: StageRecipe): Promise<string> {
  return sha256(JSON.stringify({
    declaration: outputFields(stage),
    files: await filesHash(stage.dir),
    lib: stage.lib === undefined ? null : await libHash(stage.lib),
    command: guestCommandTemplate(stage),
  }));
}
