// The static checks CI runs on a recipes tree without building anything: every stage.json through
// the real loader (schema and cross-stage rules), every pin file, every name a stage uses resolved,
// every pin with a provider, and every shell script parsed by `ash -n`. Each check returns the
// problems it found as lines naming the file, so one run reports all of them.
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import { loadPins, type SourcePin } from "../../src/sources/pins.js";
import { unpacksOnHost } from "../../src/sources/unpack.js";
import { listStagesSync, loadStage, RECIPE_LIB, type StageRecipe } from "../../src/stages/recipe.js";
import { shellToolchain } from "../../src/stages/runners.js";

export interface LoadedRecipes {
  stages: StageRecipe[];
  pins: SourcePin[];
  /** Pin files found (sources.json and any *.sources.json), relative to the root. */
  pinFiles: string[];
  problems: string[];
}

/** Loads every stage folder and pin file under `root`; a declaration that fails to load is a problem. */
export async function loadRecipes(root: string): Promise<LoadedRecipes> {
  const problems: string[] = [];
  const stages: StageRecipe[] = [];
  for (const name of listStagesSync(root)) {
    try {
      stages.push(await loadStage(root, name));
    } catch (error) {
      problems.push(`${name}: ${(error as Error).message}`);
    }
  }
  const pinFiles = (await fs.readdir(root)).filter((f) => f === "sources.json" || f.endsWith(".sources.json")).sort();
  const pins: SourcePin[] = [];
  for (const file of pinFiles) {
    try {
      pins.push(...(await loadPins(path.join(root, file))));
    } catch (error) {
      problems.push(`${file}: ${(error as Error).message}`);
    }
  }
  return { stages, pins, pinFiles, problems };
}

/** Names that must resolve: sources to pins, inputs (and so tools) to stages; pins to a provider. */
export function referenceProblems({ stages, pins }: Pick<LoadedRecipes, "stages" | "pins">, stageNames: readonly string[]): string[] {
  const problems: string[] = [];
  const byName = new Map(pins.map((pin) => [pin.name, pin]));
  for (const stage of stages) {
    for (const source of stage.sources) {
      const pin = byName.get(source.pin);
      if (!pin) problems.push(`${stage.name}: source "${source.pin}" is no pin`);
      // The host unpacks "unpackAs" sources before the VM starts, and it cannot read every format.
      else if (source.unpackAs !== undefined && !unpacksOnHost(pin.file)) {
        problems.push(`${stage.name}: source "${source.pin}" has "unpackAs" but ${pin.file} cannot be unpacked on the host (serve it as a file and unpack it in the guest)`);
      }
    }
    for (const input of stage.inputs) if (!stageNames.includes(input)) problems.push(`${stage.name}: input "${input}" is no stage`);
    for (const tool of stage.tools ?? []) if (!stageNames.includes(tool.stage)) problems.push(`${stage.name}: tool "${tool.stage}" is no stage`);
  }
  for (const pin of pins) {
    const archive = pin.insideArchive;
    const viaArchive = archive !== undefined && (archive.urls.length > 0 || archive.debianSource !== undefined);
    if (pin.urls.length === 0 && !pin.debianSource && !pin.debianBinary && !viaArchive && !pin.alternatives?.length) {
      problems.push(`pin "${pin.name}": no provider (urls, alternatives, debianSource, debianBinary, or an insideArchive with urls or debianSource)`);
    }
  }
  return problems;
}

/** Pins that only apt can bring (no urls of their own, of their archive or of an alternative). */
export function aptOnlyPins(pins: readonly SourcePin[]): string[] {
  return pins
    .filter((pin) => pin.urls.length === 0 && !pin.insideArchive?.urls.length && !pin.alternatives?.some((a) => a.urls.length > 0))
    .map((pin) => pin.name);
}

/**
 * For each pin with alternatives whose own file is in the download cache `cacheDir` (verified:
 * size and sha256), the tree hash of that file less each alternative's `differs`, compared with
 * the alternative's treeSha256: a re-pinned file with stale alternatives is a problem. Pins whose
 * file is absent are listed as unchecked, not as problems.
 */
export async function alternativeTreeProblems(pins: readonly SourcePin[], cacheDir: string): Promise<{ problems: string[]; checked: string[]; unchecked: string[] }> {
  const { archiveTreeSha256 } = await import("../../src/sources/source-tree.js");
  const { sha256File } = await import("../../src/sha256.js");
  const result = { problems: [] as string[], checked: [] as string[], unchecked: [] as string[] };
  for (const pin of pins.filter((p) => p.alternatives?.length)) {
    const file = path.join(cacheDir, "sources", pin.file);
    const size = await fs.stat(file).then((s) => s.size, () => -1);
    if (size !== pin.size || (await sha256File(file)) !== pin.sha256) {
      result.unchecked.push(pin.name);
      continue;
    }
    // Scratch outside the cache: the check must not write there.
    const scratchDir = path.join(os.tmpdir(), `zilchboot-tree-check-${process.pid}`);
    const byDiffers = new Map<string, string>();
    for (const [i, alternative] of pin.alternatives!.entries()) {
      const key = JSON.stringify(alternative.differs);
      let tree = byDiffers.get(key);
      if (tree === undefined) {
        tree = await archiveTreeSha256(file, { archiveName: pin.file, unpacksTo: pin.unpacksTo ?? ".", differs: alternative.differs, scratchDir });
        byDiffers.set(key, tree);
      }
      if (tree !== alternative.treeSha256) {
        result.problems.push(`pin "${pin.name}": ${pin.file} unpacks to a tree with sha256 ${tree} (less differs), alternatives[${i}] (${alternative.file}) says treeSha256 ${alternative.treeSha256}`);
      }
    }
    result.checked.push(pin.name);
    await fs.rm(scratchDir, { recursive: true, force: true });
  }
  return result;
}

/** The shell scripts of shell stages (each program, every other .sh beside it) and of recipes/lib. */
export async function shellScripts(root: string, stages: readonly StageRecipe[]): Promise<string[]> {
  const scripts = new Set<string>();
  const shellStages = stages.filter((s) => s.runner === "shell");
  for (const stage of shellStages) {
    scripts.add(path.join(stage.dir, stage.program));
    for (const file of await fs.readdir(stage.dir)) if (file.endsWith(".sh")) scripts.add(path.join(stage.dir, file));
  }
  const lib = path.join(root, RECIPE_LIB);
  if (shellStages.length > 0) {
    for (const file of await fs.readdir(lib).catch(() => [])) if (file.endsWith(".sh")) scripts.add(path.join(lib, file));
  }
  return [...scripts].sort();
}

/** A /recipe-lib path in a script, up to what ends a shell word; the path is empty for the folder
 *  itself (or a path computed from a variable, which no "lib" entry can cover). */
const LIB_MENTION = /\/recipe-lib(\/[^\s"'`;|&<>(){}$\\]*)?(?![\w.-])/g;

/** Every /recipe-lib/X that a shell stage's scripts mention outside comments, and those of the lib
 *  scripts they name (followed through, as they are sourced), must be covered by the stage's "lib"
 *  list (X is an entry or inside one) and exist: else the guest would not find it, or the stage's
 *  input hash would miss a file it reads. */
export async function libCoverageProblems(root: string, stages: readonly StageRecipe[]): Promise<string[]> {
  const libDir = path.join(root, RECIPE_LIB);
  const problems = new Set<string>();
  const exists = (file: string) => fs.access(file).then(() => true, () => false);
  for (const stage of stages.filter((s) => s.runner === "shell")) {
    const declared = stage.lib?.entries ?? [];
    const covered = (mentioned: string) => declared.some((entry) => mentioned === entry || mentioned.startsWith(`${entry}/`));
    const queue = [path.join(stage.dir, stage.program), ...(await fs.readdir(stage.dir)).filter((f) => f.endsWith(".sh")).map((f) => path.join(stage.dir, f))];
    const seen = new Set<string>();
    for (let script = queue.shift(); script !== undefined; script = queue.shift()) {
      if (seen.has(script)) continue;
      seen.add(script);
      const lines = (await fs.readFile(script, "utf8")).split("\n");
      for (const [index, line] of lines.entries()) {
        if (line.trimStart().startsWith("#")) continue;
        for (const match of line.matchAll(LIB_MENTION)) {
          const mentioned = (match[1] ?? "").slice(1).replace(/\/+$/, "");
          const where = `${stage.name}: ${path.relative(root, script)}:${index + 1} reads ${match[0]}`;
          const host = path.join(libDir, ...mentioned.split("/"));
          if (!covered(mentioned)) problems.add(`${where}, which its "lib" does not cover (${declared.join(", ") || "none"})`);
          else if (!(await exists(host))) problems.add(`${where}, which is not in ${RECIPE_LIB}/`);
          if (mentioned.endsWith(".sh") && (await exists(host))) queue.push(host);
        }
      }
    }
  }
  return [...problems];
}

/** Which stage's output provides the shell each shell stage runs its program with. */
export function shellProviders(stages: readonly StageRecipe[]): Set<string> {
  const providers = new Set<string>();
  for (const stage of stages.filter((s) => s.runner === "shell")) {
    const shell = shellToolchain(stage).shell;
    providers.add(shell.split("/")[2]);
  }
  return providers;
}

/** `ash -n` on each script: a syntax error is a problem carrying ash's own message (file, line). */
export async function syntaxProblems(ash: string, scripts: readonly string[], root: string): Promise<string[]> {
  const problems: string[] = [];
  for (const script of scripts) {
    // An empty environment, as in the guest: nothing of the host's shell setup leaks in.
    const run = await execa(ash, ["-n", script], { reject: false, all: true, env: {}, extendEnv: false, timeout: 30_000 });
    if (run.exitCode !== 0) problems.push(`${path.relative(root, script)}: ash -n: ${(run.all ?? "").trim() || `exit ${run.exitCode}`}`);
  }
  return problems;
}

/** The ends of the chain: every stage no other stage lists as an input (the last compiler, but
 *  also check stages like the GCC 10 fixpoint), in name order (numeric-aware: 2a10 after 2a9). */
export function leafStages(stages: readonly StageRecipe[]): string[] {
  const dependedOn = new Set(stages.flatMap((s) => s.inputs));
  const leaves = stages.map((s) => s.name).filter((name) => !dependedOn.has(name));
  if (leaves.length === 0) throw new Error("no stage is a leaf of the chain (every stage is some stage's input)");
  return leaves.sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
}

/** `target` and every stage it needs, each after its inputs. */
export function closureInOrder(stages: readonly StageRecipe[], target: string): string[] {
  const byName = new Map(stages.map((s) => [s.name, s]));
  const ordered: string[] = [];
  const visit = (name: string): void => {
    if (ordered.includes(name)) return;
    for (const input of byName.get(name)?.inputs ?? []) visit(input);
    ordered.push(name);
  };
  visit(target);
  return ordered;
}
