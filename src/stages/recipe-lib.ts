// The parts of the shared phase library (recipes/lib) a shell stage declares in "lib": only those
// are served at /recipe-lib and only those enter its input hash, so editing a file one stage reads
// (gcc10.sh) does not rebuild the stages that never see it (2a0-make).
import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { ZilchError } from "../errors.js";
import { displayPath } from "../schema/json-schema.js";
import { sha256File } from "../sha256.js";
import { hashTree } from "../store/tree-hash.js";

/** The folder of the shared shell phase library under the recipes root. */
export const RECIPE_LIB = "lib";

/** What a shell stage sees without a "lib" field: every shell stage of the chain sources build.sh. */
export const DEFAULT_LIB: readonly string[] = ["build.sh"];

export interface RecipeLib {
  /** recipes/lib on the host. */
  dir: string;
  /** Declared files and folders, relative to dir with "/" separators: sorted, none inside another. */
  entries: string[];
}

/** Checks a stage's "lib" list against recipes/lib (the schema has already refused absolute paths,
 *  trailing slashes, "." and ".." parts, and repeats): each entry must be a file or folder there,
 *  reached without a symlink out of it, and not inside another entry. The loader runs this, so a
 *  missing entry fails `plan` and `build` before anything runs. Returns null for an empty list
 *  (the stage sees no library). */
export async function resolveLib(recipesRoot: string, declared: readonly string[], origin: string): Promise<RecipeLib | null> {
  const dir = path.join(recipesRoot, RECIPE_LIB);
  const fail = (problem: string, hint: string): never => {
    throw new ZilchError({ code: "PIN", message: `${origin}: "lib" ${problem}`, hint });
  };
  const entries = [...new Set(declared)].sort();
  if (entries.length === 0) return null;
  const realDir = await fs.realpath(dir).catch(() => null);
  for (const entry of entries) {
    const host = path.join(dir, ...entry.split("/"));
    const fix = `add ${displayPath(host)}, or drop "${entry}" from "lib" in ${origin}`;
    const real = realDir === null ? null : await fs.realpath(host).catch(() => null);
    if (real === null) fail(`lists ${entry}, which is not in ${displayPath(dir)}`, fix);
    // A symlink out of the library would serve (and hash) files the stage does not declare.
    if (!real!.startsWith(realDir + path.sep)) fail(`lists ${entry}, which leads out of ${displayPath(dir)}`, `make it a plain file or folder of ${displayPath(dir)}`);
    const stat = await fs.stat(real!);
    if (!stat.isFile() && !stat.isDirectory()) fail(`lists ${entry}, which is neither a file nor a folder`, fix);
    // Served twice it would be linked twice (and hashed twice): the folder already holds it.
    const outer = entries.find((other) => entry.startsWith(`${other}/`));
    if (outer !== undefined) fail(`lists ${entry}, which is inside ${outer} (also listed)`, `drop "${entry}" from "lib" in ${origin}`);
  }
  return { dir, entries };
}

/** The library's part of a recipe hash: each declared entry (sorted) with its own hash, a folder's
 *  tree hash or a file's bytes and executable bit (what the guest can tell apart), so the order in
 *  stage.json moves nothing and an undeclared file can move nothing. */
export async function libHash(lib: RecipeLib): Promise<string> {
  const lines: string[] = [];
  for (const entry of lib.entries) {
    const host = path.join(lib.dir, ...entry.split("/"));
    const stat = await fs.stat(host);
    if (stat.isDirectory()) lines.push(`dir - ${(await hashTree(host)).sha256} ${entry}\n`);
    else lines.push(`file ${(stat.mode & 0o111) !== 0 ? "x" : "-"} ${await sha256File(host)} ${entry}\n`);
  }
  return createHash("sha256").update(lines.join("")).digest("hex");
}
