// Where zilchboot keeps things. Everything is overridable so tests run in temp dirs.
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (this file lives in dist/src/ or src/). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), findUp());

function findUp(): string {
  // Compiled: dist/src/paths.js → ../..; run from source: src/paths.ts → ..
  return fileURLToPath(import.meta.url).includes(`${path.sep}dist${path.sep}`) ? "../.." : "..";
}

/** Download cache and expensive host builds (kernel, seed), shared by all clones. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ZILCHBOOT_CACHE) return path.resolve(env.ZILCHBOOT_CACHE);
  if (process.platform === "darwin") return path.join(os.homedir(), "Library", "Caches", "zilchboot");
  if (process.platform === "win32") {
    return path.join(env.LOCALAPPDATA ?? path.join(os.homedir(), "AppData", "Local"), "zilchboot", "cache");
  }
  return path.join(env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "zilchboot");
}

/** The recipes directory: the chain as data. */
export function recipesDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.ZILCHBOOT_RECIPES ? path.resolve(env.ZILCHBOOT_RECIPES) : path.join(repoRoot, "recipes");
}

/** Built images (kernel, seed) for this checkout; git-ignored. */
export function imagesDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.ZILCHBOOT_IMAGES ? path.resolve(env.ZILCHBOOT_IMAGES) : path.join(repoRoot, "images");
}

/** Store, logs and per-run directories. */
export function workDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.ZILCHBOOT_HOME ? path.resolve(env.ZILCHBOOT_HOME) : path.join(repoRoot, ".zilch");
}
