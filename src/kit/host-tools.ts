// Can this host build the seed or the guest kernel? Asked before fetching 138 MB of Linux source or
// unpacking tinycc, so a host without the tools (macOS, Windows, a bare Linux) gets one line that
// points at `zilchboot kit import` instead of a failed configure. Injected in tests.
import fs from "node:fs/promises";
import path from "node:path";
import type { GuestArch } from "../arch.js";
import { ZilchError } from "../errors.js";
import { describeArtefact, type ArtefactKind } from "./kit-lock.js";

export interface HostTools {
  platform: NodeJS.Platform;
  /** process.arch: "x64", "arm64", … */
  cpu: string;
  /** Whether an executable of this name is on PATH. */
  has(command: string): Promise<boolean>;
}

/** This host, looking commands up on PATH. */
export const SYSTEM_TOOLS: HostTools = {
  platform: process.platform,
  cpu: process.arch,
  async has(command) {
    for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
      if (dir && (await fs.access(path.join(dir, command), fs.constants.X_OK).then(() => true, () => false))) return true;
    }
    return false;
  },
};

/** Each requirement is a list of alternatives: the seed falls back from musl-gcc to cc. */
function requirements(kind: ArtefactKind, arch: GuestArch): string[][] {
  if (kind === "kernel") return [["gcc"], ["make"], ["flex"], ["bison"], ["bc"], ["tar"], ["xz"]];
  return arch === "i386" ? [["i386-linux-musl-gcc"], ["make"]] : [["musl-gcc", "cc"], ["make"]];
}

/** What this host lacks to build `kind` for `arch` (empty: it can try). */
export async function missingBuildTools(kind: ArtefactKind, arch: GuestArch, tools: HostTools): Promise<string[]> {
  if (tools.platform !== "linux" || tools.cpu !== "x64") return [`x86_64 Linux (this host is ${tools.platform}/${tools.cpu})`];
  const missing: string[] = [];
  for (const alternatives of requirements(kind, arch)) {
    let found = false;
    for (const command of alternatives) if (!found && (await tools.has(command))) found = true;
    if (!found) missing.push(alternatives.join(" or "));
  }
  return missing;
}

/** Throws one HOST line naming what is missing and pointing at a kit, unless the host can build.
 *  `noKit` says why images/ could not be used; when the lock itself lacks a current entry, a kit
 *  cannot help until someone records one on Linux, and the hint says so. */
export async function requireBuildTools(kind: ArtefactKind, arch: GuestArch, tools: HostTools, noKit: { problem: string; lockLacks: boolean }): Promise<void> {
  const missing = await missingBuildTools(kind, arch, tools);
  if (missing.length === 0) return;
  const flag = kind === "kernel" ? "--kernel" : "--seed";
  const alternative = arch === "x86_64" ? `, or pass your own with ${flag}` : "";
  const hint = noKit.lockLacks
    ? `on x86_64 Linux, record it with \`zilchboot kit lock --arch ${arch} --only ${kind}\` and commit recipes/kit-lock.json, then export a kit there and \`zilchboot kit import FILE\` here${alternative}`
    : `import a kit made on x86_64 Linux: \`zilchboot kit import FILE\` (make one there with \`zilchboot kit export FILE\`, or use a release's kit)${alternative}`;
  throw new ZilchError({
    code: "HOST",
    message: `building ${describeArtefact(kind, arch)} needs ${missing.join(", ")}; no kit is installed for it (${noKit.problem})`,
    hint,
  });
}
