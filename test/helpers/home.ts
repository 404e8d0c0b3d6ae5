// Hermetic places for tests: a temporary zilchboot home (store, logs, runs) and a temporary copy of
// the recipes (so a build records into its own lock.json, never the checkout's recipes/lock.json).
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { recipesDir, repoRoot } from "../../src/paths.js";

/** The built CLI, as `npm test` runs it (after `tsc`). */
export const CLI = path.join(repoRoot, "dist", "src", "cli.js");

/** A fresh empty directory under the OS temp dir. */
export async function tempDir(prefix: string): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), `zilchboot-${prefix}-`));
}

/** A copy of the checkout's recipes (224 KB): same input hashes, its own lock.json. The checkout's
 *  even where the developer's shell sets ZILCHBOOT_RECIPES (recipesDir of an empty environment). */
export async function copyRecipes(into: string): Promise<string> {
  await fs.cp(recipesDir({}), into, { recursive: true, verbatimSymlinks: true });
  return into;
}

export interface TestHome {
  /** ZILCHBOOT_HOME: store, logs and runs. */
  home: string;
  /** ZILCHBOOT_RECIPES: a copy of recipes/ with its own lock.json. */
  recipes: string;
  /** The environment that points the CLI at both. */
  env: Record<string, string>;
  /** The lock file builds in this home record into. */
  lockFile: string;
  remove(): Promise<void>;
}

/** A temp home with a temp recipes copy beside it: nothing a test does reaches the checkout. */
export async function testHome(prefix: string): Promise<TestHome> {
  const root = await tempDir(prefix);
  const home = path.join(root, "home");
  await fs.mkdir(home);
  const recipes = await copyRecipes(path.join(root, "recipes"));
  return {
    home,
    recipes,
    env: { ZILCHBOOT_HOME: home, ZILCHBOOT_RECIPES: recipes },
    lockFile: path.join(recipes, "lock.json"),
    remove: () => fs.rm(root, { recursive: true, force: true }),
  };
}

/** A copy of recipes/lock.json in `dir`: builds are checked against the real pins but record
 *  new stages into the copy. */
export async function copyLock(dir: string): Promise<string> {
  const file = path.join(dir, "lock.json");
  await fs.copyFile(path.join(recipesDir({}), "lock.json"), file);
  return file;
}
