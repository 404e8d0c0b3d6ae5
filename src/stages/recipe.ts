// A stage as declared in recipes/<name>/stage.json: checked against recipes/schema/stage.schema.json
// (unknown keys and wrong types are errors naming the key), then against the other stages it names.
import { existsSync, readdirSync } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import type { GuestArch } from "../arch.js";
import { didYouMean } from "../did-you-mean.js";
import { ZilchError } from "../errors.js";
import { DEFAULT_LIB, resolveLib, type RecipeLib } from "./recipe-lib.js";
import { shellToolchain } from "./runners.js";
import { declarationError, displayPath, readJsonFile, validateDocument } from "../schema/json-schema.js";

export { RECIPE_LIB, type RecipeLib } from "./recipe-lib.js";

export interface StageRecipe {
  name: string;
  description: string;
  /** "seed-tcc": PID 1 is the seed tcc running `program` with -nostdinc -nostdlib -run.
   *  "shell": PID 1 is the init its tools provide, running `program` with the shell they provide. */
  runner: "seed-tcc" | "shell";
  program: string;
  args: string[];
  /** Pins of recipes/sources.json: served as /sources/<file>, or unpacked as /sources/<unpackAs>/. */
  sources: StageSource[];
  /** Stages whose outputs are served at /store/<name>/. */
  inputs: string[];
  /** Shell stages: the inputs that make up the script's PATH, PID 1 and shell, in order, each with
   *  what it provides (from its own stage.json). Absent or empty for seed-tcc stages. */
  tools?: StageTool[];
  /** What this stage's output offers stages that list it in "tools". */
  provides?: Provides;
  /** Shell stages: extra environment variables for the script. */
  env?: Record<string, string>;
  timeoutSeconds: number;
  memoryMiB: number;
  /** Quick enough to run under v86 (~3× slower than QEMU): `--backend auto` may pick v86 for it. */
  small: boolean;
  /** The guest's architecture: picks kernel, seed and emulator (default x86_64). */
  arch: GuestArch;
  /** Folder holding the recipe's files (served at /recipe, without stage.json): the stage's own, or recipeFrom's. */
  dir: string;
  /** Set for a variant (`"recipeFrom"`): the folder of its own stage.json. */
  declarationDir?: string;
  /** Shell stages: the files and folders of the shared phase library (recipes/lib) declared in
   *  "lib" (default DEFAULT_LIB), served at /recipe-lib/<entry>; absent when the stage sees none. */
  lib?: RecipeLib;
}

export interface StageSource {
  pin: string;
  /** Serve the tarball unpacked under this directory name instead of the file itself. */
  unpackAs?: string;
  /** Leading path components to drop when unpacking. */
  strip: number;
}

/** Paths inside a stage's output that a consuming stage's guest uses (see "tools"). */
export interface Provides {
  /** Directories put on PATH. */
  bin: string[];
  /** An init that runs `init KEY=VALUE... COMMAND ARGS...` as PID 1. */
  init?: string;
  /** The shell that runs shell stages' programs. */
  shell?: string;
}

export interface StageTool {
  stage: string;
  provides: Provides;
}

/** stage.json as the schema admits it. */
interface StageDeclaration {
  name: string;
  description?: string;
  runner: "seed-tcc" | "shell";
  program: string;
  args?: string[];
  sources?: Array<string | { pin: string; unpackAs?: string; strip?: number }>;
  inputs?: string[];
  tools?: string[];
  provides?: { bin?: string[]; init?: string; shell?: string };
  env?: Record<string, string>;
  arch?: GuestArch;
  recipeFrom?: string;
  lib?: string[];
  timeoutSeconds?: number;
  memoryMiB?: number;
  small?: boolean;
}

async function readDeclaration(recipesRoot: string, name: string): Promise<{ file: string; origin: string; declaration: StageDeclaration }> {
  const file = path.join(recipesRoot, name, "stage.json");
  await fs.access(file).catch((cause: unknown) => {
    throw unknownStage(name, recipesRoot, cause);
  });
  const origin = displayPath(file);
  return { file, origin, declaration: await validateDocument<StageDeclaration>("stage", await readJsonFile(file), origin) };
}

function providesOf(declaration: StageDeclaration): Provides | undefined {
  const p = declaration.provides;
  if (!p) return undefined;
  return { bin: p.bin ?? [], ...(p.init === undefined ? {} : { init: p.init }), ...(p.shell === undefined ? {} : { shell: p.shell }) };
}

export async function loadStage(recipesRoot: string, name: string): Promise<StageRecipe> {
  const dir = path.join(recipesRoot, name);
  const { origin, declaration: d } = await readDeclaration(recipesRoot, name);
  const fail = (key: string, problem: string, hint?: string): never => {
    throw declarationError(origin, "", `"${key}" ${problem}`, hint);
  };
  if (d.name !== name) fail("name", `is ${JSON.stringify(d.name)} but the folder is ${name}`, `rename the folder or fix "name" in ${origin}`);
  // A variant (e.g. the same recipe for another arch) runs another stage's files with its own
  // declaration, so the recipe is written once.
  if (d.recipeFrom === name) fail("recipeFrom", "must name another stage folder, not this one");
  const filesDir = d.recipeFrom === undefined ? dir : path.join(recipesRoot, d.recipeFrom);
  await fs.access(path.join(filesDir, d.program)).catch(() => fail("program", `names ${d.program}, which does not exist in ${displayPath(filesDir)}`));
  if (d.program === "stage.json") fail("program", "must not be stage.json (it is not served to the guest)");
  const inputs = d.inputs ?? [];
  const toolNames = d.tools ?? [];
  for (const tool of toolNames) {
    if (!inputs.includes(tool)) fail("tools", `lists ${tool}, which is not one of "inputs" (${inputs.join(", ") || "none"})`, `add ${tool} to "inputs" in ${origin}, or drop it from "tools"`);
  }
  if (d.runner === "seed-tcc") {
    // A seed-tcc program runs as PID 1 with an empty environment and no PATH: nothing would use them.
    if (toolNames.length > 0) fail("tools", "is for shell stages (a seed-tcc program gets no PATH)");
    if (d.env !== undefined) fail("env", "is for shell stages (a seed-tcc program runs with an empty environment)");
    if (d.lib !== undefined) fail("lib", "is for shell stages (a seed-tcc program sees no /recipe-lib)", `drop "lib" from ${origin}`);
  }
  const tools: StageTool[] = [];
  for (const tool of toolNames) {
    const provides = providesOf((await readDeclaration(recipesRoot, tool)).declaration);
    if (!provides) fail("tools", `lists ${tool}, whose stage.json declares no "provides"`, `add "provides" (bin, init, shell) to recipes/${tool}/stage.json, or drop ${tool} from "tools"`);
    tools.push({ stage: tool, provides: provides! });
  }
  const lib = d.runner === "shell" ? await resolveLib(recipesRoot, d.lib ?? DEFAULT_LIB, origin) : null;
  const stage: StageRecipe = {
    name,
    description: d.description ?? "",
    runner: d.runner,
    program: d.program,
    args: d.args ?? [],
    sources: (d.sources ?? []).map((s) => (typeof s === "string" ? { pin: s, strip: 0 } : { pin: s.pin, ...(s.unpackAs === undefined ? {} : { unpackAs: s.unpackAs }), strip: s.strip ?? 0 })),
    inputs,
    ...(d.runner === "shell" ? { tools, env: d.env ?? {} } : {}),
    ...(d.provides ? { provides: providesOf(d) } : {}),
    timeoutSeconds: d.timeoutSeconds ?? 600,
    memoryMiB: d.memoryMiB ?? 512,
    small: d.small ?? false,
    arch: d.arch ?? "x86_64",
    dir: filesDir,
    ...(d.recipeFrom === undefined ? {} : { declarationDir: dir }),
    ...(lib === null ? {} : { lib }),
  };
  // A shell stage whose tools give no init or shell fails here, at load time, not in the guest.
  if (stage.runner === "shell") shellToolchain(stage);
  return stage;
}

/** "no stage named 2a1; did you mean 2a1-binutils?", else the known list. No path: the folder
 *  layout is ours, the stage name is what the user typed. */
export function unknownStage(name: string, recipesRoot: string, cause?: unknown): ZilchError {
  const known = listStagesSync(recipesRoot);
  return new ZilchError({
    code: "USAGE",
    message: `no stage named ${name}`,
    hint: didYouMean(name, known) ?? `known stages: ${known.join(", ") || "none"}`,
    cause,
  });
}

/** Stage folders under recipesRoot (those with a stage.json), sorted. */
export function listStagesSync(recipesRoot: string): string[] {
  try {
    return readdirSync(recipesRoot).filter((entry) => existsSync(path.join(recipesRoot, entry, "stage.json"))).sort();
  } catch {
    return [];
  }
}
