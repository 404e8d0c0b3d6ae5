// Where zilchboot keeps things. Everything is overridable so tests run in temp dirs. Nothing is
// written inside the package itself: an installed package may be read-only or shared by users.
import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** Our package's name in package.json: how findPackageRoot recognises the root. */
const PACKAGE_NAME = "zilchboot";

/** The nearest folder at or above `start` holding a package.json named "zilchboot". Looking for
 *  the manifest (not counting hops) works from src/ and dist/src/, in a checkout under any folder
 *  name (dist included) and in an installed package under node_modules. */
export function findPackageRoot(start: string): string {
  for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
    if (manifestName(path.join(dir, "package.json")) === PACKAGE_NAME) return dir;
    if (path.dirname(dir) === dir) {
      throw new Error(`no package.json named "${PACKAGE_NAME}" at or above ${start}: zilchboot's files are incomplete`);
    }
  }
}

function manifestName(file: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(file, "utf8")) as { name?: unknown }).name as string | undefined;
  } catch {
    return undefined;
  }
}

/** The package root: a checkout, or the installed package (read-only: recipes, vm/, web page). */
export const repoRoot = findPackageRoot(path.dirname(fileURLToPath(import.meta.url)));

/** Download cache and expensive host builds (kernel, seed, images), shared by all clones; moved by
 *  ZILCHBOOT_DOWNLOADS (or its old name ZILCHBOOT_CACHE, see oldVariableWarnings). */
export function cacheDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  const moved = env.ZILCHBOOT_DOWNLOADS || env.ZILCHBOOT_CACHE;
  if (moved) return path.resolve(moved);
  if (platform === "darwin") return path.join(os.homedir(), "Library", "Caches", "zilchboot");
  if (platform === "win32") return path.join(localAppData(env), "zilchboot", "cache");
  return path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache"), "zilchboot");
}

/** The user's data directory for zilchboot: what a user would back up (store, logs). */
export function dataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (platform === "darwin") return path.join(os.homedir(), "Library", "Application Support", "zilchboot");
  if (platform === "win32") return path.join(localAppData(env), "zilchboot");
  return path.join(env.XDG_DATA_HOME || path.join(os.homedir(), ".local", "share"), "zilchboot");
}

function localAppData(env: NodeJS.ProcessEnv): string {
  return env.LOCALAPPDATA || path.join(os.homedir(), "AppData", "Local");
}

/** The recipes directory: the chain as data. */
export function recipesDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.ZILCHBOOT_RECIPES ? path.resolve(env.ZILCHBOOT_RECIPES) : path.join(repoRoot, "recipes");
}

/** Built images (kernel, seed) handed to VMs: under the cache dir, never inside the package. */
export function imagesDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  return env.ZILCHBOOT_IMAGES ? path.resolve(env.ZILCHBOOT_IMAGES) : path.join(cacheDir(env, platform), "images");
}

/** Store, logs and per-run directories ("home"): ZILCHBOOT_HOME, else the user's data directory. */
export function workDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  return env.ZILCHBOOT_HOME ? path.resolve(env.ZILCHBOOT_HOME) : dataDir(env, platform);
}

/** One line per variable set under an old name that still works: ZILCHBOOT_CACHE moves the download
 *  cache, but reads like the shared stage cache's --cache and ZILCHBOOT_CACHE_URL. */
export function oldVariableWarnings(env: NodeJS.ProcessEnv = process.env): string[] {
  if (!env.ZILCHBOOT_CACHE) return [];
  const also = env.ZILCHBOOT_DOWNLOADS ? ", and ZILCHBOOT_DOWNLOADS, also set, wins" : "";
  return [`warning: ZILCHBOOT_CACHE is now ZILCHBOOT_DOWNLOADS (the download cache; the shared stage cache is --cache/ZILCHBOOT_CACHE_URL): the old name still works${also}; rename it`];
}
