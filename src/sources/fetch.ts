// Getting a pinned file into the download cache. Order: cache, mirrors, upstream, apt, and for a
// pin with insideArchive the archive it is extracted from; each provider fails fast and the next
// is tried. Nothing gets its final cache name unverified.
// The cache is shared by every clone and process: one fetch per pin runs at a time (a second
// waits, then finds the first's verified file), and verified files are trusted through the
// verified-source index instead of being re-hashed on every invocation.
import { mkdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { ZilchError } from "../errors.js";
import type { SourcePin } from "./pins.js";
import { aptProvider } from "./providers/apt.js";
import { archiveProvider } from "./providers/archive.js";
import { httpProvider } from "./providers/http.js";
import { mirrorProvider } from "./providers/mirror.js";
import { HashMismatch, oneLine, ProviderFailure, type FetchContext, type Provider } from "./providers/provider.js";
import { sha256File } from "../sha256.js";
import { withLock } from "../store/file-lock.js";
import { forgetSha256, indexedSha256, knownSha256, rememberSha256, verifiedIndexFile } from "./verified-index.js";

export { sha256File } from "../sha256.js";

export interface FetchOptions {
  /** The download cache root; files land in <cacheDir>/sources/<pin.file>. */
  cacheDir: string;
  /** Directories or http(s) base URLs, flat, keyed by pin.file. */
  mirrors?: string[];
  /** Default true. */
  allowUpstream?: boolean;
  /** Default true; used only when apt-get is on PATH. */
  allowApt?: boolean;
  log?: (line: string) => void;
  /** Draw a progress line on stderr while downloading. */
  progress?: boolean;
  /** Idle (and connect) timeout for http downloads; default 20 s. */
  timeoutMs?: number;
}

interface Attempt {
  label: string;
  clause: string;
  hint?: string;
  mismatch?: HashMismatch;
}

const DEFAULT_TIMEOUT_MS = 20_000;

/** Path of the verified file in the download cache, fetching it if needed. */
export async function ensureSource(pin: SourcePin, options: FetchOptions): Promise<string> {
  const log = options.log ?? (() => {});
  const sourcesDir = path.join(options.cacheDir, "sources");
  const partialDir = path.join(sourcesDir, ".partial");
  const final = path.join(sourcesDir, pin.file);
  const index = verifiedIndexFile(options.cacheDir);
  // The common case, lock-free: verified before and unchanged since.
  if ((await knownSha256(index, final)) === pin.sha256) return final;
  await mkdir(partialDir, { recursive: true });
  const what = `the download of ${pin.file}`;
  return withLock(path.join(sourcesDir, ".locks", pin.file), { what, log }, () => fetchLocked(pin, options, final, index));
}

async function fetchLocked(pin: SourcePin, options: FetchOptions, final: string, index: string): Promise<string> {
  const log = options.log ?? (() => {});
  const partialDir = path.join(options.cacheDir, "sources", ".partial");
  const attempts: Attempt[] = [];
  const cached = await checkCache(pin, final, index, log);
  if (cached.ok) return final;
  attempts.push({ label: "cache", clause: cached.clause });

  const ctx: FetchContext = {
    pin,
    partialDir,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    progress: options.progress ?? false,
    log,
    deliver: (file, from) => deliver(pin, file, final, from, index),
  };
  for (const provider of providers(pin, options)) {
    try {
      const result = await provider.fetch(ctx);
      // Another provider's interrupted download is moot now.
      await rm(path.join(partialDir, `${pin.file}.part`), { force: true });
      log(`${pin.file}: verified, from ${provider.label}`);
      return result;
    } catch (error) {
      const attempt = toAttempt(provider, error);
      log(`${pin.file}: ${attempt.label}: ${attempt.clause}`);
      attempts.push(attempt);
    }
  }
  if (options.allowUpstream === false) attempts.push({ label: "upstream", clause: "disabled" });
  if (options.allowApt === false) attempts.push({ label: "apt", clause: "disabled" });
  throw failure(pin, attempts);
}

/** ensureSource for each pin in turn; paths in the same order. */
export async function ensureSources(pins: readonly SourcePin[], options: FetchOptions): Promise<string[]> {
  const paths: string[] = [];
  for (const pin of pins) paths.push(await ensureSource(pin, options));
  return paths;
}

function providers(pin: SourcePin, options: FetchOptions): Provider[] {
  const list = (options.mirrors ?? []).map((mirror) => mirrorProvider(mirror, pin.file));
  if (options.allowUpstream !== false) {
    const hint = "the upstream file changed or the pin is wrong: check before re-pinning";
    list.push(...pin.urls.map((url) => httpProvider(`upstream ${url}`, url, hint)));
  }
  // A pin that names an archive usually names no Debian package of its own: asking apt would
  // only add a line to every failure.
  const ownApt = pin.debianSource !== undefined || pin.debianBinary !== undefined || pin.insideArchive === undefined;
  if (options.allowApt !== false && ownApt) list.push(aptProvider());
  // Last: extracting costs a read of the whole archive, after fetching it if no one has.
  const { insideArchive } = pin;
  if (insideArchive) list.push(archiveProvider({ ...pin, insideArchive }, (archive) => ensureSource(archive, options)));
  return list;
}

async function checkCache(
  pin: SourcePin,
  final: string,
  index: string,
  log: (line: string) => void,
): Promise<{ ok: true } | { ok: false; clause: string }> {
  const info = await stat(final).catch(() => undefined);
  if (!info) return { ok: false, clause: "absent" };
  const actual = info.isFile() && info.size === pin.size ? await indexedSha256(index, final) : undefined;
  if (actual === pin.sha256) return { ok: true };
  // Bit rot or an edited pin: never build from it, and do not leave it to be found again.
  log(`warning: cached ${pin.file} does not match its pin (sha256 ${actual ?? "not computed"}, ${info.size} bytes); deleting and refetching`);
  await rm(final, { recursive: true, force: true });
  await forgetSha256(index, final);
  return { ok: false, clause: "held a corrupt copy (deleted)" };
}

async function deliver(pin: SourcePin, file: string, final: string, from: string, index: string): Promise<string> {
  try {
    const { size } = await stat(file);
    const actual = await sha256File(file);
    if (size !== pin.size || actual !== pin.sha256) {
      const sizes = size !== pin.size ? ` (${size} bytes, pinned ${pin.size})` : "";
      throw new HashMismatch(
        `${pin.file} from ${from} has sha256 ${actual}${sizes}, ${pin.origin ?? "the pin"} expects ${pin.sha256}`,
        "",
      );
    }
    await rename(file, final);
    await rememberSha256(index, final, actual);
    return final;
  } catch (error) {
    // Whatever went wrong, unverified bytes are never kept.
    await rm(file, { force: true });
    throw error;
  }
}

function toAttempt(provider: Provider, error: unknown): Attempt {
  if (error instanceof HashMismatch) {
    const hint = error.hint || provider.mismatchHint;
    return { label: provider.label, clause: "delivered wrong bytes (deleted)", hint, mismatch: new HashMismatch(error.sentence, hint) };
  }
  if (error instanceof ProviderFailure) return { label: provider.label, clause: error.clause, hint: error.hint };
  const message = error instanceof Error ? error.message : String(error);
  return { label: provider.label, clause: oneLine(message) };
}

function failure(pin: SourcePin, attempts: Attempt[]): ZilchError {
  const mismatch = attempts.find((a) => a.mismatch)?.mismatch;
  if (mismatch) {
    const others = attempts
      .filter((a) => !a.mismatch && !(a.label === "cache" && a.clause === "absent"))
      .map((a) => `${a.label}: ${a.clause}`);
    return new ZilchError({
      code: "HASH_MISMATCH",
      message: others.length ? `${mismatch.sentence} (also tried: ${others.join("; ")})` : mismatch.sentence,
      hint: mismatch.hint,
    });
  }
  const summary = attempts.map((a) => `${a.label}: ${a.clause}`).join("; ");
  const specific = [...new Set(attempts.flatMap((a) => (a.hint ? [a.hint] : [])))];
  const holding = pin.insideArchive ? `${pin.file} or ${pin.insideArchive.file}` : pin.file;
  const hint = specific.length
    ? `${specific.join("; ")}; or pass --mirror DIR holding ${holding}`
    : `pass --mirror DIR holding ${holding}, or run scripts/setup-host.sh to enable the apt provider`;
  return new ZilchError({ code: "FETCH", message: `cannot fetch ${pin.file}: ${summary}`, hint });
}
