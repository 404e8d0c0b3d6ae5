// How a stage's shares are stored on the host (`--share-fs`, ZILCHBOOT_SHARE_FS):
// - host: the root is a directory of links to the inputs and /out a directory the guest writes
//   into (exact on Linux; what QEMU's `-fsdev local` needs);
// - memory: both are MetaTrees (src/vm/p9/meta-tree.ts): names, modes and symlinks kept by our 9p
//   server, file contents in host files under opaque names, the output captured from that
//   metadata. Exact on any host file system (NTFS, case-insensitive APFS);
// - foreign: memory, with the spill files on a simulated NTFS-like file system (foreign-fs.ts),
//   to show on Linux that nothing depends on what such a host lacks.
// auto (the default) is memory where the host's file system cannot hold Linux's metadata (Windows,
// macOS), or where an input is a store archive (store-mode.ts: only a tree can serve it), and the
// backend serves the shares itself; else host.
import fs from "node:fs/promises";
import path from "node:path";
import { ZilchError } from "../errors.js";
import { writeEntryArchive } from "../store/archive-entry.js";
import { captureOutput, describeManifestDiff, diffManifests, type OutputIdentity } from "../store/manifest.js";
import type { StoreLayout } from "../store/store-mode.js";
import type { VmBackend } from "../vm/backend.js";
import { ForeignFs } from "../vm/p9/foreign-fs.js";
import { nativeFs } from "../vm/p9/host-fs.js";
import { captureMetaTree, materialiseMetaTree } from "../vm/p9/meta-output.js";
import { MetaTree } from "../vm/p9/meta-tree.js";
import { assembleShareTree, type TreeContents } from "./share-tree.js";

export type ShareFsMode = "host" | "memory" | "foreign";
export type ShareFsRequest = ShareFsMode | "auto";
export const SHARE_FS_VALUES: readonly ShareFsRequest[] = ["auto", "host", "memory", "foreign"];

/** The flag's (or the variable's) value, checked. */
export function parseShareFs(value: string, from = "--share-fs"): ShareFsRequest {
  if ((SHARE_FS_VALUES as readonly string[]).includes(value)) return value as ShareFsRequest;
  throw new ZilchError({ code: "USAGE", message: `${from} must be ${SHARE_FS_VALUES.join(", ")}; got ${JSON.stringify(value)}`, hint: "foreign simulates an NTFS-like host file system for tests; memory is exact on any host" });
}

/** The mode a stage runs with on `backend` (`archiveInputs`: a dependency is a store archive); an
 *  explicit memory or foreign on a backend that cannot serve such shares is one clear error. */
export function resolveShareFs(request: ShareFsRequest | undefined, backend: VmBackend, platform: NodeJS.Platform = process.platform, archiveInputs = false): ShareFsMode {
  const wanted = request ?? "auto";
  if (wanted === "auto") return backend.servesShareTrees && (platform === "win32" || platform === "darwin" || archiveInputs) ? "memory" : "host";
  if (wanted !== "host" && !backend.servesShareTrees) throw shareFsUnsupported(wanted, backend.name);
  return wanted;
}

/** The error for memory or foreign shares on a backend that serves host directories. */
export function shareFsUnsupported(mode: ShareFsMode, backend: string): ZilchError {
  return new ZilchError({
    code: "USAGE",
    message: `--share-fs ${mode} needs a backend that serves the shares with zilchboot's own 9p server; ${backend} serves host directories`,
    hint: "use the QEMU or v86 runner, or --share-fs host",
  });
}

export interface TreeShares {
  rootTree: MetaTree;
  outTree: MetaTree;
  /** Where the output is written for the store once captured (`<runDir>/entry/out`, empty). */
  outDir: string;
}

/** The read-only root and writable /out of a run in memory or foreign mode. */
export async function treeShares(runDir: string, contents: TreeContents, mode: "memory" | "foreign"): Promise<TreeShares> {
  const outDir = path.join(runDir, "entry", "out");
  await fs.mkdir(outDir, { recursive: true });
  const rootTree = await assembleShareTree(contents);
  const simulated = path.join(runDir, "foreign-fs");
  if (mode === "foreign") await fs.mkdir(simulated);
  const outTree = mode === "foreign"
    ? new MetaTree({ spillDir: path.join(simulated, "spill"), fs: new ForeignFs(simulated) })
    : new MetaTree({ spillDir: path.join(runDir, "spill"), fs: nativeFs });
  return { rootTree, outTree, outDir };
}

/**
 * The output's identity from the out tree's metadata. For an archive store the tree is written as
 * `<outDir>.tar` (checked against that identity; outDir is removed); for a tree store it is written
 * to `outDir` and captured again, which must give the same identity: a store on a file system that
 * cannot hold it (no exec bits, no symlinks, names that fold case) fails here rather than storing
 * other bits.
 */
export async function outputFromTree(outTree: MetaTree, outDir: string, layout: StoreLayout = "tree"): Promise<OutputIdentity> {
  const identity = await captureMetaTree(outTree);
  if (layout === "archive") {
    const files = new Map(outTree.list().flatMap(({ path: rel, node }) => (node.kind === "file" ? [[rel, node] as const] : [])));
    await writeEntryArchive(path.dirname(outDir), identity, (rel) => outTree.openContent(files.get(rel)!));
    await fs.rm(outDir, { recursive: true, force: true });
    return identity;
  }
  await materialiseMetaTree(outTree, outDir);
  const stored = await captureOutput(outDir);
  if (stored.sha256 !== identity.sha256) {
    throw new ZilchError({
      code: "STORE",
      message: `the output captured from the share (${identity.sha256}) changed when written to ${outDir} (${stored.sha256}): the store's file system cannot hold it exactly`,
      hint: "keep ZILCHBOOT_HOME on a file system with exec bits, symlinks and case-sensitive names, or keep store entries as archives (ZILCHBOOT_STORE=archive); nothing was stored",
      details: describeManifestDiff(diffManifests(identity.manifest, stored.manifest)),
    });
  }
  return identity;
}

/** The identity of a host-directory output (captureOutput: modes normalised in place); for an
 *  archive store the directory is then written as `<outDir>.tar` and removed. */
export async function outputFromDir(outDir: string, layout: StoreLayout = "tree"): Promise<OutputIdentity> {
  const identity = await captureOutput(outDir);
  if (layout === "archive") {
    await writeEntryArchive(path.dirname(outDir), identity, (rel) => fs.open(path.join(outDir, ...rel.split("/")), "r"));
    await fs.rm(outDir, { recursive: true, force: true });
  }
  return identity;
}
