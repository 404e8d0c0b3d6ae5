// The kernel or seed in the images directory, when it is exactly what kit-lock.json records for
// the checkout's current inputs (imported from a kit, or built here with the locked result): then
// it is used as is, and the host needs no toolchain, no Linux source and no tinycc tarball.
import path from "node:path";
import type { GuestArch } from "../arch.js";
import { displayPath } from "../schema/json-schema.js";
import { sha256File } from "../sha256.js";
import { staleReasons } from "./inputs.js";
import { artefactKey, type ArtefactKind, type KitArtefact, type KitLock } from "./kit-lock.js";

/** Why images/ cannot be used: the lock has nothing current for it (importing a kit cannot help
 *  until someone relocks), or the files are missing or other (importing one can). */
export type LockedLookup = { ok: true; entry: KitArtefact } | { ok: false; problem: string; lockLacks: boolean };

/** Whether `dir` (the arch's images directory) holds the locked bytes of `kind` for `arch`. */
export async function findLockedArtefact(lock: KitLock, kind: ArtefactKind, arch: GuestArch, dir: string, current: Record<string, string>): Promise<LockedLookup> {
  const key = artefactKey(kind, arch);
  const entry = lock.artefacts[key];
  if (!entry) return { ok: false, problem: `${lock.origin} has no ${key} entry`, lockLacks: true };
  const stale = staleReasons(entry.inputs, current);
  if (stale.length > 0) return { ok: false, problem: `${lock.origin}'s ${key} is stale: ${stale.join("; ")}`, lockLacks: true };
  for (const [name, want] of Object.entries(entry.files)) {
    const file = path.join(dir, name);
    const got = await sha256File(file).catch(() => undefined);
    if (got === undefined) return { ok: false, problem: `${displayPath(file)} is missing`, lockLacks: false };
    if (got !== want.sha256) return { ok: false, problem: `${displayPath(file)} has sha256 ${got}, ${lock.origin} expects ${want.sha256}`, lockLacks: false };
  }
  return { ok: true, entry };
}
