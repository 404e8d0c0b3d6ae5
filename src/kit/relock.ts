// `zilchboot kit lock`: builds kernels and seeds on this host (from the caches when their inputs
// are unchanged) and records their sha256, inputs and host in recipes/kit-lock.json. Run it after
// changing vm/kernel/*.config, the linux or tinycc pin, or a builder; review the diff like any pin.
import fs from "node:fs/promises";
import path from "node:path";
import type { GuestArch } from "../arch.js";
import { sha256File } from "../sha256.js";
import { ARTEFACT_FILES, artefactKey, loadKitLock, saveKitLock, type ArtefactKind, type KitArtefact } from "./kit-lock.js";

/** What a build left in the arch's images directory, and what it was made from and by. */
export interface BuiltArtefact {
  dir: string;
  inputs: Record<string, string>;
  built?: Record<string, string>;
  host: Record<string, string>;
}

export interface RelockOptions {
  lockFile: string;
  targets: Array<{ kind: ArtefactKind; arch: GuestArch }>;
  build: (kind: ArtefactKind, arch: GuestArch) => Promise<BuiltArtefact>;
  log?: (line: string) => void;
}

/** Builds and records each target in turn (the lock is written after each, so a failure keeps the
 *  earlier ones); returns one line per target. */
export async function relockKit(opts: RelockOptions): Promise<string[]> {
  const lines: string[] = [];
  for (const { kind, arch } of opts.targets) {
    const key = artefactKey(kind, arch);
    opts.log?.(`kit lock: building ${key}`);
    const result = await opts.build(kind, arch);
    const files: KitArtefact["files"] = {};
    for (const name of ARTEFACT_FILES[kind]) {
      const file = path.join(result.dir, name);
      files[name] = { sha256: await sha256File(file), size: (await fs.stat(file)).size };
    }
    const entry: KitArtefact = { kind, arch, files, inputs: result.inputs, ...(result.built ? { built: result.built } : {}), host: result.host };
    // Read just before writing: another target (or process) may have recorded in the meantime.
    const lock = await loadKitLock(opts.lockFile);
    lines.push(describeChange(key, lock.artefacts[key], entry));
    await saveKitLock(opts.lockFile, { ...lock.artefacts, [key]: entry });
  }
  return lines;
}

function describeChange(key: string, before: KitArtefact | undefined, after: KitArtefact): string {
  const short = (sha: string) => sha.slice(0, 12);
  const names = Object.keys(after.files);
  if (!before) return `${key}: recorded ${names.map((name) => `${name} ${short(after.files[name]!.sha256)}`).join(", ")}`;
  const changed = names.filter((name) => before.files[name]?.sha256 !== after.files[name]!.sha256);
  if (changed.length === 0) return `${key}: unchanged (${names.map((name) => `${name} ${short(after.files[name]!.sha256)}`).join(", ")})`;
  const same = (a: Record<string, string>, b: Record<string, string>) => JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());
  const suspicious = same(before.inputs, after.inputs) && same(before.host, after.host)
    ? " (same inputs and host as the lock's: the build is not reproducible, or a tool the lock does not name changed)"
    : "";
  return `${key}: ${changed.map((name) => `${name} ${short(after.files[name]!.sha256)} (was ${before.files[name] ? short(before.files[name]!.sha256) : "absent"})`).join(", ")}${suspicious}`;
}
