// recipes/kit-lock.json: the host-built artefacts (guest kernels, seed tccs) by sha256, so a host
// without musl-gcc or the kernel's build tools can take them from a kit instead of building them.
// Each entry also says what it was made from (`inputs`, compared with the checkout's to tell a
// stale entry) and by what (`host`: another compiler gives other bytes), so a mismatch says why.
// A kit's kit.json has the same shape: import requires both to agree, entry by entry.
import fs from "node:fs/promises";
import path from "node:path";
import type { GuestArch } from "../arch.js";
import { ZilchError } from "../errors.js";
import { recipesDir } from "../paths.js";
import { displayPath, readJsonFile, validateDocument } from "../schema/json-schema.js";
import { writeJsonAtomic } from "../store/atomic-file.js";

export type ArtefactKind = "seed" | "kernel";

export interface LockedFile {
  sha256: string;
  size: number;
}

export interface KitArtefact {
  kind: ArtefactKind;
  arch: GuestArch;
  /** By name in the arch's images directory (images/ or images/i386/). */
  files: Record<string, LockedFile>;
  /** What the recipe fed the builder; see artefactInputs in inputs.ts. */
  inputs: Record<string, string>;
  /** Facts about the result (kernel: release, configSha256). */
  built?: Record<string, string>;
  /** The host that produced it: OS, compiler and package versions. */
  host: Record<string, string>;
}

export interface KitLock {
  artefacts: Record<string, KitArtefact>;
  /** The file it was read from, as messages name it. */
  origin: string;
}

/** The files each kind of artefact has, by name in the arch's images directory: nothing else is
 *  ever installed from a kit. */
export const ARTEFACT_FILES: Record<ArtefactKind, readonly string[]> = {
  seed: ["tcc-seed"],
  kernel: ["bzImage", "kernel.config", "vmlinux"],
};

/** The inputs and results each kind records (inputs.ts computes the inputs). */
const REQUIRED: Record<ArtefactKind, { inputs: string[]; built: string[] }> = {
  seed: { inputs: ["tinyccSha256"], built: [] },
  kernel: { inputs: ["builder", "fragmentSha256", "linuxSha256", "linuxVersion"], built: ["configSha256", "release"] },
};

/** The manifest inside a kit names this format. */
export const KIT_FORMAT = "zilchboot-kit/1";

const COMMENT =
  "Guest kernels and seed tccs by sha256: `zilchboot kit export` packs exactly these bytes, `kit import` installs only these. " +
  "Recompute with `zilchboot kit lock [--arch A] [--only kernel|seed]` on x86_64 Linux after changing vm/kernel/*.config, the linux or tinycc pin, or the builders.";

export function kitLockFile(): string {
  return path.join(recipesDir(), "kit-lock.json");
}

export function artefactKey(kind: ArtefactKind, arch: GuestArch): string {
  return `${kind}-${arch}`;
}

/** "the x86_64 kernel", "the i386 seed tcc" */
export function describeArtefact(kind: ArtefactKind, arch: GuestArch): string {
  return kind === "kernel" ? `the ${arch} guest kernel` : `the ${arch} seed tcc`;
}

/** Reads and checks a lock (or a kit's manifest). A missing lock file is an empty lock. */
export async function loadKitLock(file: string, opts: { missingOk?: boolean } = { missingOk: true }): Promise<KitLock> {
  const origin = displayPath(file);
  if (opts.missingOk && !(await fs.access(file).then(() => true, () => false))) return { artefacts: {}, origin };
  return parseKitLock(await readJsonFile(file), origin);
}

export async function parseKitLock(doc: unknown, origin: string): Promise<KitLock> {
  const valid = await validateDocument<{ artefacts: Record<string, KitArtefact> }>("kit-lock", doc, origin);
  for (const [key, entry] of Object.entries(valid.artefacts)) {
    if (key !== artefactKey(entry.kind, entry.arch)) {
      throw new ZilchError({ code: "PIN", message: `${origin}: artefacts.${key} says kind ${entry.kind} and arch ${entry.arch}`, hint: `name it ${artefactKey(entry.kind, entry.arch)} or fix its kind and arch` });
    }
    const names = Object.keys(entry.files).sort().join(", ");
    if (names !== ARTEFACT_FILES[entry.kind].join(", ")) {
      throw new ZilchError({ code: "PIN", message: `${origin}: artefacts.${key}.files lists ${names}; a ${entry.kind} has ${ARTEFACT_FILES[entry.kind].join(", ")}`, hint: "record it again with `zilchboot kit lock`" });
    }
    for (const part of ["inputs", "built"] as const) {
      const missing = REQUIRED[entry.kind][part].filter((name) => entry[part]?.[name] === undefined);
      if (missing.length > 0) throw new ZilchError({ code: "PIN", message: `${origin}: artefacts.${key}.${part} lacks ${missing.join(", ")}`, hint: "record it again with `zilchboot kit lock`" });
    }
  }
  return { artefacts: stripComments(valid.artefacts), origin };
}

function stripComments(artefacts: Record<string, KitArtefact>): Record<string, KitArtefact> {
  const clean: Record<string, KitArtefact> = {};
  for (const [key, entry] of Object.entries(artefacts)) {
    clean[key] = Object.fromEntries(Object.entries(entry).filter(([name]) => !name.startsWith("$"))) as unknown as KitArtefact;
  }
  return clean;
}

/** The lock as a file: artefacts and their files in a stable order. */
export function kitLockDocument(artefacts: Record<string, KitArtefact>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const sorted: Record<string, KitArtefact> = {};
  for (const key of Object.keys(artefacts).sort()) {
    const entry = artefacts[key]!;
    sorted[key] = {
      kind: entry.kind,
      arch: entry.arch,
      files: Object.fromEntries(Object.keys(entry.files).sort().map((name) => [name, { sha256: entry.files[name]!.sha256, size: entry.files[name]!.size }])),
      inputs: sortedRecord(entry.inputs),
      ...(entry.built ? { built: sortedRecord(entry.built) } : {}),
      host: sortedRecord(entry.host),
    };
  }
  return { ...extra, artefacts: sorted };
}

function sortedRecord(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.keys(record).sort().map((key) => [key, record[key]!]));
}

export async function saveKitLock(file: string, artefacts: Record<string, KitArtefact>): Promise<void> {
  await writeJsonAtomic(file, kitLockDocument(artefacts, { $schema: "schema/kit-lock.schema.json", $comment: COMMENT }));
}

/** How a kit's entry differs from the lock's, or undefined when they agree (files, inputs, results;
 *  `host` is description, not identity: the same bytes from another host are the same artefact). */
export function entryDifference(kit: KitArtefact, lock: KitArtefact): string | undefined {
  for (const name of new Set([...Object.keys(kit.files), ...Object.keys(lock.files)])) {
    const a = kit.files[name];
    const b = lock.files[name];
    if (!a) return `the lock lists ${name}, the kit does not`;
    if (!b) return `the kit lists ${name}, the lock does not`;
    if (a.sha256 !== b.sha256 || a.size !== b.size) return `${name} is ${a.sha256} (${a.size} bytes) in the kit, ${b.sha256} (${b.size} bytes) in the lock`;
  }
  return recordDifference("inputs", kit.inputs, lock.inputs) ?? recordDifference("built", kit.built ?? {}, lock.built ?? {});
}

function recordDifference(what: string, kit: Record<string, string>, lock: Record<string, string>): string | undefined {
  for (const key of new Set([...Object.keys(kit), ...Object.keys(lock)])) {
    if (kit[key] !== lock[key]) return `${what}.${key} is ${JSON.stringify(kit[key] ?? null)} in the kit, ${JSON.stringify(lock[key] ?? null)} in the lock`;
  }
  return undefined;
}
