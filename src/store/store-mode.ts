// How new store entries keep their output (ZILCHBOOT_STORE):
// - tree: `<entry>/out/`, a plain directory. What host-directory shares, `--runner native`,
//   `zilchboot shell` and `ddc` read; exact only where the store's file system holds exec bits,
//   symlinks and case-sensitive names;
// - archive: `<entry>/out.tar`, the canonical tar (the shared cache's blob, byte for byte). Exact on
//   any host file system (NTFS, case-insensitive APFS); served to guests from inside the tar with
//   `--share-fs memory|foreign`, never unpacked;
// - auto (the default): archive on Windows and macOS, tree elsewhere.
// An entry is read as what it holds, whatever the setting: the setting only chooses how new
// entries (builds, cache pulls) are written.
import path from "node:path";
import { ZilchError } from "../errors.js";
import type { StoreEntry } from "./store.js";

export type StoreLayout = "tree" | "archive";
export type StoreRequest = StoreLayout | "auto";
export const STORE_VALUES: readonly StoreRequest[] = ["auto", "tree", "archive"];

/** The variable's value, checked. */
export function parseStore(value: string, from = "ZILCHBOOT_STORE"): StoreRequest {
  if ((STORE_VALUES as readonly string[]).includes(value)) return value as StoreRequest;
  throw new ZilchError({ code: "USAGE", message: `${from} must be ${STORE_VALUES.join(", ")}; got ${JSON.stringify(value)}`, hint: "archive keeps each output as its canonical tar (exact on NTFS and APFS); tree as a directory" });
}

/** ZILCHBOOT_STORE, checked; undefined (auto) when unset or empty. */
export function storeFromEnv(env: NodeJS.ProcessEnv = process.env): StoreRequest | undefined {
  const value = env.ZILCHBOOT_STORE;
  return value === undefined || value === "" ? undefined : parseStore(value);
}

export function resolveStore(request: StoreRequest | undefined, platform: NodeJS.Platform = process.platform): StoreLayout {
  const wanted = request ?? "auto";
  if (wanted !== "auto") return wanted;
  return platform === "win32" || platform === "darwin" ? "archive" : "tree";
}

/**
 * The entry's output directory for a reader that needs one on the host (`what`: "--runner
 * native", "zilchboot shell", …); an archive entry is one error line naming the entry and the fix.
 */
export function entryTree(entry: StoreEntry, what: string, alternative?: string): string {
  if (entry.archive === null) return entry.outDir;
  throw new ZilchError({
    code: "STORE",
    message: `store entry ${path.basename(entry.dir)} is kept as an archive (${entry.archive}); ${what} needs it as a directory`,
    hint: `rebuild it as one with ZILCHBOOT_STORE=tree zilchboot build ${entry.record.stage} --force${alternative ? `, ${alternative}` : ""}`,
  });
}
