// The guest's root as a MetaTree (src/vm/p9/meta-tree.ts) instead of a directory on the host: the
// same entries assembleShare (share.ts) links into `<runDir>/root`, but nothing is created on the
// host, so exec bits, symlinks and names are served exactly even where the host file system cannot
// hold them. Dependency outputs are served from their store entry's canonical manifest (record.json:
// modes, types, symlink targets) with the bytes read from the entry's files; an entry without a
// manifest (an old record) is read from its directory as the host shows it; an output given as its
// canonical tar (src/cache/output-archive.ts) is served from inside the tar.
import type { Dirent } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { ZilchError } from "../errors.js";
import type { ManifestEntry } from "../store/manifest.js";
import { MetaTree } from "../vm/p9/meta-tree.js";
import { readTarIndex } from "../vm/p9/tar-index.js";
import { SEED_GUEST_PATH, type ShareContents } from "./share.js";

/** A dependency's output: where its files are, and its manifest when the store has one; or its
 *  canonical tar. */
export type ServedOutput = { outDir: string; manifest?: ManifestEntry[] } | { archive: string };

export interface TreeContents extends Omit<ShareContents, "dependencies"> {
  dependencies: Record<string, ServedOutput>;
}

function names(guestPath: string): string[] {
  return guestPath.split("/").filter((part) => part !== "");
}

/** Adds the host tree `from` at `at`, with the modes and symlinks the host shows. */
async function addHostTree(tree: MetaTree, at: string[], from: string, skip?: (entry: Dirent) => boolean): Promise<void> {
  tree.addDir(at);
  for (const entry of await fs.readdir(from, { withFileTypes: true })) {
    if (skip?.(entry)) continue;
    await addHostEntry(tree, [...at, entry.name], path.join(from, entry.name));
  }
}

async function addHostEntry(tree: MetaTree, at: string[], from: string): Promise<void> {
  const st = await fs.lstat(from, { bigint: true });
  if (st.isDirectory()) await addHostTree(tree, at, from);
  else if (st.isSymbolicLink()) tree.addSymlink(at, await fs.readlink(from));
  else if (st.isFile()) tree.addFile(at, { file: from, mode: Number(st.mode & 0o777n), size: st.size, mtimeNs: st.mtimeNs });
  else throw new ZilchError({ code: "STAGE", message: `${from} is not a file, directory or symlink and cannot be served to the guest`, hint: "remove it from the stage's inputs" });
}

/** A declared input named on its own (a source, a recipe-lib entry) is served as the file or tree
 *  it is, a symlink to one followed (as assembleShare's stat and linkOrCopy do). */
async function addFollowed(tree: MetaTree, at: string[], from: string): Promise<void> {
  const st = await fs.stat(from, { bigint: true });
  if (st.isDirectory()) await addHostTree(tree, at, from);
  else tree.addFile(at, { file: from, mode: Number(st.mode & 0o777n), size: st.size, mtimeNs: st.mtimeNs });
}

/** Adds a store output at `at` from its manifest; a file whose size is not the manifest's is a
 *  damaged entry (the bytes are the entry's own, the modes and links the manifest's). */
async function addOutput(tree: MetaTree, at: string[], output: ServedOutput): Promise<void> {
  if ("archive" in output) return addArchive(tree, at, output.archive);
  if (!output.manifest) return addHostTree(tree, at, output.outDir);
  tree.addDir(at);
  for (const entry of output.manifest) {
    const where = [...at, ...entry.path.split("/")];
    if (entry.type === "dir") tree.addDir(where);
    else if (entry.type === "symlink") tree.addSymlink(where, entry.target);
    else {
      const file = path.join(output.outDir, ...entry.path.split("/"));
      const st = await fs.lstat(file, { bigint: true }).catch(() => null);
      if (!st?.isFile() || st.size !== BigInt(entry.size)) {
        throw new ZilchError({
          code: "STORE",
          message: `store output ${output.outDir} does not match its manifest at ${entry.path} (${st ? `${st.isFile() ? `${st.size} bytes` : "not a file"}` : "missing"}, manifest: ${entry.size} bytes)`,
          hint: "the entry is damaged: remove it (or rebuild it with --force) and run the build again",
        });
      }
      tree.addFile(where, { file, mode: entry.mode === "0755" ? 0o755 : 0o644, size: st.size, mtimeNs: st.mtimeNs });
    }
  }
}

/** Adds a tar's members at `at`, their bytes read in place; files 0755 when any exec bit is set. */
async function addArchive(tree: MetaTree, at: string[], archive: string): Promise<void> {
  tree.addDir(at);
  for (const member of await readTarIndex(archive)) {
    const where = [...at, ...member.path.split("/")];
    if (member.type === "dir") tree.addDir(where);
    else if (member.type === "symlink") tree.addSymlink(where, member.target);
    else tree.addFile(where, { file: archive, offset: member.offset, size: member.size, mode: member.mode & 0o111 ? 0o755 : 0o644, mtimeNs: member.mtimeNs });
  }
}

/** The read-only root a stage's guest sees, as assembleShare would lay it out. */
export async function assembleShareTree(contents: TreeContents): Promise<MetaTree> {
  const tree = new MetaTree();
  for (const dir of ["proc", "dev", "tmp", "out", "store", "sources"]) tree.addDir([dir]);
  if (contents.seed) {
    const st = await fs.stat(contents.seed, { bigint: true });
    tree.addFile(names(SEED_GUEST_PATH), { file: contents.seed, mode: 0o555, size: st.size, mtimeNs: st.mtimeNs });
  }
  // stage.json is not the guest's business (as in assembleShare).
  await addHostTree(tree, ["recipe"], contents.recipeDir, (entry) => entry.name === "stage.json");
  for (const entry of contents.recipeLib?.entries ?? []) {
    await addFollowed(tree, ["recipe-lib", ...entry.split("/")], path.join(contents.recipeLib!.dir, ...entry.split("/")));
  }
  if (contents.guestDir) await addHostTree(tree, ["guest"], contents.guestDir);
  for (const [name, hostPath] of Object.entries(contents.sources)) await addFollowed(tree, ["sources", name], hostPath);
  for (const [stage, output] of Object.entries(contents.dependencies)) await addOutput(tree, ["store", stage], output);
  return tree;
}
