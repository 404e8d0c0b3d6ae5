// Assembles the directory a stage's guest sees as its root: only the declared inputs.
import fs from "node:fs/promises";
import path from "node:path";
import type { RecipeLib } from "./recipe-lib.js";

/** Guest path of the seed compiler. */
export const SEED_GUEST_PATH = "/store/0-tcc-seed";

export interface ShareContents {
  /** The seed tcc, served at SEED_GUEST_PATH (seed-tcc stages only). */
  seed?: string;
  recipeDir: string;
  /** The declared parts of recipes/lib, each served at /recipe-lib/<entry> (shell stages). */
  recipeLib?: RecipeLib;
  /** vm/guest, served at /guest (seed-tcc stages only). */
  guestDir?: string;
  /** name under /sources → host path (a file, or a directory served as a tree) */
  sources: Record<string, string>;
  /** stage name → host dir of its output, served at /store/<name> */
  dependencies: Record<string, string>;
}

/** Why a hard link can fail where a copy works: another filesystem, no links allowed there, or
 *  too many links to the file. Anything else (EEXIST: two inputs served under one name) is an error. */
const COPY_INSTEAD = new Set(["EXDEV", "EPERM", "ENOTSUP", "EOPNOTSUPP", "EMLINK", "EACCES"]);

/** Hard link when possible (cheap, same bytes); copy across filesystems. */
export async function linkOrCopy(from: string, to: string): Promise<void> {
  try {
    await fs.link(from, to);
  } catch (error) {
    if (!COPY_INSTEAD.has((error as NodeJS.ErrnoException).code ?? "")) throw error;
    await fs.copyFile(from, to, fs.constants.COPYFILE_EXCL);
  }
}

export async function linkTree(from: string, to: string): Promise<void> {
  await fs.mkdir(to, { recursive: true });
  for (const entry of await fs.readdir(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    const target = path.join(to, entry.name);
    if (entry.isDirectory()) await linkTree(source, target);
    else if (entry.isSymbolicLink()) await fs.symlink(await fs.readlink(source), target);
    else await linkOrCopy(source, target);
  }
}

/** Creates `<runDir>/root` (read-only share) and `<runDir>/entry/out` (writable share). */
export async function assembleShare(runDir: string, contents: ShareContents): Promise<{ rootDir: string; outDir: string }> {
  const rootDir = path.join(runDir, "root");
  const outDir = path.join(runDir, "entry", "out");
  // Mount points for what the guest mounts itself.
  for (const dir of ["proc", "dev", "tmp", "out", "store", "sources"]) await fs.mkdir(path.join(rootDir, dir), { recursive: true });
  await fs.mkdir(outDir, { recursive: true });
  if (contents.seed) {
    await fs.copyFile(contents.seed, path.join(rootDir, SEED_GUEST_PATH));
    await fs.chmod(path.join(rootDir, SEED_GUEST_PATH), 0o555);
  }
  await linkTree(contents.recipeDir, path.join(rootDir, "recipe"));
  // stage.json is not the guest's business, and only its output-relevant fields are hashed.
  await fs.rm(path.join(rootDir, "recipe", "stage.json"), { force: true });
  // Only the declared entries: the stage's input hash covers them and nothing else of the library.
  for (const entry of contents.recipeLib?.entries ?? []) {
    const source = path.join(contents.recipeLib!.dir, ...entry.split("/"));
    const target = path.join(rootDir, "recipe-lib", ...entry.split("/"));
    await fs.mkdir(path.dirname(target), { recursive: true });
    if ((await fs.stat(source)).isDirectory()) await linkTree(source, target);
    else await linkOrCopy(source, target);
  }
  if (contents.guestDir) await linkTree(contents.guestDir, path.join(rootDir, "guest"));
  for (const [name, hostPath] of Object.entries(contents.sources)) {
    const target = path.join(rootDir, "sources", name);
    if ((await fs.stat(hostPath)).isDirectory()) await linkTree(hostPath, target);
    else await linkOrCopy(hostPath, target);
  }
  for (const [stage, dir] of Object.entries(contents.dependencies)) await linkTree(dir, path.join(rootDir, "store", stage));
  return { rootDir, outDir };
}
