// `zilchboot kit export FILE`: packs the locked kernels and seeds (built here first if images/ does
// not hold them) with their lock entries as kit.json. Only bytes equal to recipes/kit-lock.json's
// are packed: a host whose compiler makes other bytes is told which, and how its tools differ
// from the ones that made the lock.
import path from "node:path";
import { ARCH, type GuestArch } from "../arch.js";
import { ZilchError } from "../errors.js";
import { displayPath } from "../schema/json-schema.js";
import { sha256File } from "../sha256.js";
import { packKit, type KitMember } from "./kit-archive.js";
import { KIT_FORMAT, kitLockDocument, type ArtefactKind, type KitArtefact, type KitLock } from "./kit-lock.js";

export interface ExportOptions {
  file: string;
  lock: KitLock;
  /** Lock keys to pack (e.g. "kernel-x86_64"), in any order. */
  keys: string[];
  imagesRoot: string;
  /** Makes sure images/ holds the artefact (provision.ts builds it when it does not). */
  provide: (kind: ArtefactKind, arch: GuestArch) => Promise<void>;
  /** This host's tools, for the message when its bytes differ from the lock's. */
  describeHost?: (kind: ArtefactKind, arch: GuestArch) => Promise<Record<string, string>>;
  log?: (line: string) => void;
}

export async function exportKit(opts: ExportOptions): Promise<{ sha256: string; size: number; keys: string[] }> {
  const { lock, log = () => {} } = opts;
  if (opts.keys.length === 0) throw new ZilchError({ code: "USAGE", message: `${lock.origin} lists no kernel or seed to export`, hint: "record them first with `zilchboot kit lock` on x86_64 Linux" });
  const chosen: Record<string, KitArtefact> = {};
  const members: KitMember[] = [];
  for (const key of [...opts.keys].sort()) {
    const entry = lock.artefacts[key];
    if (!entry) throw new ZilchError({ code: "USAGE", message: `${lock.origin} has no ${key} entry to export`, hint: "record it first with `zilchboot kit lock` on x86_64 Linux" });
    await opts.provide(entry.kind, entry.arch);
    const dir = path.join(opts.imagesRoot, ARCH[entry.arch].imagesSubdir);
    for (const [name, want] of Object.entries(entry.files)) {
      const file = path.join(dir, name);
      const got = await sha256File(file);
      if (got !== want.sha256) throw await mismatch(opts, entry, file, got, want.sha256);
      members.push({ name: `${entry.arch}/${name}`, from: file, executable: name === "tcc-seed" });
    }
    chosen[key] = entry;
    log(`kit: ${key} matches ${lock.origin}`);
  }
  const packed = await packKit(opts.file, kitLockDocument(chosen, { format: KIT_FORMAT }), members);
  return { ...packed, keys: Object.keys(chosen) };
}

async function mismatch(opts: ExportOptions, entry: KitArtefact, file: string, got: string, want: string): Promise<ZilchError> {
  const here = (await opts.describeHost?.(entry.kind, entry.arch).catch(() => undefined)) ?? {};
  const differing = Object.keys(entry.host).filter((key) => here[key] !== undefined && here[key] !== entry.host[key]);
  const why = differing.length > 0
    ? `; this host's ${differing.map((key) => `${key} is ${JSON.stringify(here[key])}, the lock's was ${JSON.stringify(entry.host[key])}`).join("; ")}`
    : `; the lock was made with ${Object.entries(entry.host).map(([key, value]) => `${key} ${JSON.stringify(value)}`).join(", ")}`;
  return new ZilchError({
    code: "HASH_MISMATCH",
    message: `${displayPath(file)} has sha256 ${got}, ${opts.lock.origin} expects ${want}${why}`,
    hint: "a kit carries only locked bytes: export on a host with the locked tools, or record this host's with `zilchboot kit lock` if the change is intended",
  });
}
