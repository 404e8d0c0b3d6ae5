// An alternative file of a pin as one step of the fetch (after the pin's own urls, before apt):
// fetched, then checked by its tree and repacked (../alternative.ts). Alternatives with a sha256
// are fetched as pins of their own (mirrors, their urls), so the cache keeps their verified bytes
// under their own names; snapshots are downloaded to scratch from each mirror and url in turn.
import path from "node:path";
import { rm } from "node:fs/promises";
import { ZilchError } from "../../errors.js";
import { serveAlternative, type ServedAlternative } from "../alternative.js";
import { alternativePin, type SourcePin } from "../pins.js";
import { httpProvider } from "./http.js";
import { mirrorProvider } from "./mirror.js";
import { HashMismatch, oneLine, ProviderFailure, type FetchContext } from "./provider.js";

/** A download limit for alternatives whose public pins give no size (and for snapshots). */
export const UNSIZED_LIMIT = 1024 * 1024 * 1024;

export interface AlternativeOptions {
  cacheDir: string;
  mirrors?: string[];
  allowUpstream?: boolean;
  /** Fetches a pin through the cache, mirrors and its urls (not apt), under its own lock. */
  obtain: (pin: SourcePin) => Promise<string>;
}

/**
 * Alternative `index`: its exact bytes (when it pins a sha256) fetched like a pin of their own,
 * into the cache under their own name (mirrors, then its urls; never apt); a snapshot downloaded
 * to scratch from each mirror and url in turn. Either way its tree is checked and repacked.
 */
export async function fetchAlternative(pin: SourcePin, index: number, ctx: FetchContext, options: AlternativeOptions): Promise<ServedAlternative> {
  const alternative = pin.alternatives![index];
  const log = ctx.log;
  if (alternative.sha256) {
    let file: string;
    try {
      file = await options.obtain(alternativePin(pin, index, UNSIZED_LIMIT));
    } catch (error) {
      if (!(error instanceof ZilchError)) throw error;
      if (error.code === "HASH_MISMATCH") throw new HashMismatch(error.message, error.hint ?? "");
      // Its hint ("pass --mirror DIR holding …") is the outer failure's to give, for every file.
      throw new ProviderFailure(nested(error.message, alternative.file));
    }
    return serveAlternative(pin, index, file, options.cacheDir, log);
  }
  // A snapshot: no bytes to verify before unpacking, so nothing of it is cached but its repack.
  const snapshot: SourcePin = { name: `${pin.name}.alternatives[${index}]`, version: pin.version, file: alternative.file, sha256: "", size: UNSIZED_LIMIT, sizeIsLimit: true, urls: alternative.urls };
  const list = (options.mirrors ?? []).map((mirror) => mirrorProvider(mirror, alternative.file));
  if (options.allowUpstream !== false) list.push(...alternative.urls.map((url) => httpProvider(`upstream ${url}`, url, "")));
  const clauses: string[] = [];
  let mismatch: HashMismatch | undefined;
  for (const provider of list) {
    let served: ServedAlternative | undefined;
    const part = path.join(ctx.partialDir, `${alternative.file}.part`);
    // Two servers may compress one snapshot differently: never resume one's bytes from another's.
    await rm(part, { force: true });
    const snapshotCtx: FetchContext = {
      ...ctx,
      pin: snapshot,
      deliver: async (file) => {
        try {
          served = await serveAlternative(pin, index, file, options.cacheDir, log);
          return served.path;
        } finally {
          await rm(file, { force: true });
        }
      },
    };
    try {
      await provider.fetch(snapshotCtx);
      if (served) return served;
    } catch (error) {
      // Another server's snapshot may still hold the right tree: try it, then report the mismatch.
      if (error instanceof HashMismatch) mismatch ??= error;
      const why = error instanceof HashMismatch ? "other tree" : error instanceof ProviderFailure ? error.clause : oneLine(String((error as Error).message ?? error));
      clauses.push(`${provider.label}: ${why}`);
    } finally {
      await rm(part, { force: true });
    }
  }
  if (mismatch) throw mismatch;
  throw new ProviderFailure(clauses.length ? clauses.join(", ") : "no mirror, and upstream disabled");
}

/** An inner fetch's "cannot fetch F: cache: absent; a: x; b: y" as one clause "a: x, b: y". */
function nested(message: string, file: string): string {
  return message
    .replace(`cannot fetch ${file}: `, "")
    .split("; ")
    .filter((part) => part !== "cache: absent" && part !== "apt: disabled")
    .join(", ");
}
