// Getting a pinned file into the download cache. Order: cache (the pin's file, then a repack of
// an alternative), mirrors, upstream urls, the pin's alternatives (each: mirrors, then its urls),
// apt, a debianBinary's .deb urls, and for a pin with insideArchive the archive it is extracted from; each provider fails fast
// and the next is tried. Nothing gets its final cache name unverified, and an alternative is served
// only as a repack whose tree matched its treeSha256 (alternative.ts).
// The cache is shared by every clone and process: one fetch per pin runs at a time (a second
// waits, then finds the first's verified file), and verified files are trusted through the
// verified-source index instead of being re-hashed on every invocation.
import { mkdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { ZilchError } from "../errors.js";
import { cachedAlternative, type ServedAlternative } from "./alternative.js";
import type { SourcePin, SourceUse } from "./pins.js";
import { fetchAlternative } from "./providers/alternative.js";
import { aptProvider } from "./providers/apt.js";
import { archiveProvider } from "./providers/archive.js";
import { debUrlProvider } from "./providers/deb.js";
import { httpProvider } from "./providers/http.js";
import { mirrorProvider } from "./providers/mirror.js";
import { HashMismatch, oneLine, ProviderFailure, type FetchContext, type Provider } from "./providers/provider.js";
import { sha256File } from "../sha256.js";
import { withLock } from "../store/file-lock.js";
import { forgetSha256, indexedSha256, knownSha256, rememberSha256, verifiedIndexFile } from "./verified-index.js";

export { sha256File } from "../sha256.js";
export type { SourceUse } from "./pins.js";

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

export interface ObtainedSource {
  /** A file in the pin's form: its own bytes, or an alternative repacked in its layout (.tar). */
  path: string;
  /** sha256 of the file at `path`: the pin's, or the repack's. */
  sha256: string;
  used: SourceUse;
}

/** Path of the verified file in the download cache (or of an alternative's repack), fetching it if needed. */
export async function ensureSource(pin: SourcePin, options: FetchOptions): Promise<string> {
  return (await obtainSource(pin, options)).path;
}

/** ensureSource, saying which file it used. */
export async function obtainSource(pin: SourcePin, options: FetchOptions): Promise<ObtainedSource> {
  const log = options.log ?? (() => {});
  const sourcesDir = path.join(options.cacheDir, "sources");
  const partialDir = path.join(sourcesDir, ".partial");
  const final = path.join(sourcesDir, pin.file);
  const index = verifiedIndexFile(options.cacheDir);
  // The common case, lock-free: verified before and unchanged since.
  if ((await knownSha256(index, final)) === pin.sha256) return own(pin, final);
  await mkdir(partialDir, { recursive: true });
  const what = `the download of ${pin.file}`;
  return withLock(path.join(sourcesDir, ".locks", pin.file), { what, log }, () => fetchLocked(pin, options, final, index));
}

function own(pin: SourcePin, file: string): ObtainedSource {
  return { path: file, sha256: pin.sha256, used: { file: pin.file, sha256: pin.sha256 } };
}

function fromAlternative(pin: SourcePin, index: number, served: ServedAlternative): ObtainedSource {
  const alternative = pin.alternatives![index];
  return {
    path: served.path,
    sha256: served.sha256,
    used: { file: alternative.file, sha256: alternative.sha256 ?? null, alternative: index, treeSha256: alternative.treeSha256 },
  };
}

async function fetchLocked(pin: SourcePin, options: FetchOptions, final: string, index: string): Promise<ObtainedSource> {
  const log = options.log ?? (() => {});
  const partialDir = path.join(options.cacheDir, "sources", ".partial");
  const attempts: Attempt[] = [];
  const cached = await checkCache(pin, final, index, log);
  if (cached.ok) return own(pin, final);
  const alternatives = pin.alternatives ?? [];
  for (const i of alternatives.keys()) {
    const repack = await cachedAlternative(pin, i, options.cacheDir, log);
    if (repack) return fromAlternative(pin, i, repack);
  }
  attempts.push({ label: "cache", clause: cached.clause });

  const ctx: FetchContext = {
    pin,
    partialDir,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    progress: options.progress ?? false,
    log,
    deliver: (file, from) => deliver(pin, file, final, from, index),
  };
  const { direct, late } = providers(pin, options);
  const found = await firstOf(direct, ctx, attempts);
  if (found) return own(pin, found);
  for (const i of alternatives.keys()) {
    const label = `alternative ${alternatives[i].file}`;
    try {
      const served = await fetchAlternative(pin, i, ctx, {
        ...options,
        obtain: (alternative) => ensureSource(alternative, { ...options, allowApt: false }),
      });
      log(`${pin.file}: verified, from ${label} (its tree matched treeSha256; served as a repack in the pin's layout)`);
      return fromAlternative(pin, i, served);
    } catch (error) {
      const attempt = toAttempt({ label, mismatchHint: "" }, error);
      log(`${pin.file}: ${attempt.label}: ${attempt.clause}`);
      attempts.push(attempt);
    }
  }
  const fromLate = await firstOf(late, ctx, attempts);
  if (fromLate) return own(pin, fromLate);
  if (options.allowUpstream === false) attempts.push({ label: "upstream", clause: "disabled" });
  if (options.allowApt === false) attempts.push({ label: "apt", clause: "disabled" });
  throw failure(pin, attempts);
}

/** The first provider that delivers, or undefined with each failure in `attempts`. */
async function firstOf(list: Provider[], ctx: FetchContext, attempts: Attempt[]): Promise<string | undefined> {
  for (const provider of list) {
    try {
      const result = await provider.fetch(ctx);
      // Another provider's interrupted download is moot now.
      await rm(path.join(ctx.partialDir, `${ctx.pin.file}.part`), { force: true });
      ctx.log(`${ctx.pin.file}: verified, from ${provider.label}`);
      return result;
    } catch (error) {
      const attempt = toAttempt(provider, error);
      ctx.log(`${ctx.pin.file}: ${attempt.label}: ${attempt.clause}`);
      attempts.push(attempt);
    }
  }
  return undefined;
}

/** ensureSource for each pin in turn; paths in the same order. */
export async function ensureSources(pins: readonly SourcePin[], options: FetchOptions): Promise<string[]> {
  const paths: string[] = [];
  for (const pin of pins) paths.push(await ensureSource(pin, options));
  return paths;
}

/** The pin's own providers: `direct` ones before its alternatives, `late` ones after. */
function providers(pin: SourcePin, options: FetchOptions): { direct: Provider[]; late: Provider[] } {
  const direct = (options.mirrors ?? []).map((mirror) => mirrorProvider(mirror, pin.file));
  if (options.allowUpstream !== false) {
    const hint = "the upstream file changed or the pin is wrong: check before re-pinning";
    direct.push(...pin.urls.map((url) => httpProvider(`upstream ${url}`, url, hint)));
  }
  const late: Provider[] = [];
  // A pin that names an archive usually names no Debian package of its own: asking apt would
  // only add a line to every failure.
  const ownApt = pin.debianSource !== undefined || pin.debianBinary !== undefined || pin.insideArchive === undefined;
  if (options.allowApt !== false && ownApt) late.push(aptProvider());
  // After apt: a URL that keeps a .deb the archive has dropped (the snapshot archive) is far away.
  const binary = pin.debianBinary;
  if (options.allowUpstream !== false && binary?.debSize !== undefined) {
    late.push(...(binary.urls ?? []).map((url) => debUrlProvider({ ...binary, debSize: binary.debSize! }, url)));
  }
  // Last: extracting costs a read of the whole archive, after fetching it if no one has.
  const { insideArchive } = pin;
  if (insideArchive) late.push(archiveProvider({ ...pin, insideArchive }, (archive) => ensureSource(archive, options)));
  return { direct, late };
}

async function checkCache(
  pin: SourcePin,
  final: string,
  index: string,
  log: (line: string) => void,
): Promise<{ ok: true } | { ok: false; clause: string }> {
  const info = await stat(final).catch(() => undefined);
  if (!info) return { ok: false, clause: "absent" };
  const actual = info.isFile() && sizeFits(pin, info.size) ? await indexedSha256(index, final) : undefined;
  if (actual === pin.sha256) return { ok: true };
  // Bit rot or an edited pin: never build from it, and do not leave it to be found again.
  log(`warning: cached ${pin.file} does not match its pin (sha256 ${actual ?? "not computed"}, ${info.size} bytes); deleting and refetching`);
  await rm(final, { recursive: true, force: true });
  await forgetSha256(index, final);
  return { ok: false, clause: "held a corrupt copy (deleted)" };
}

function sizeFits(pin: SourcePin, size: number): boolean {
  return pin.sizeIsLimit ? size <= pin.size : size === pin.size;
}

async function deliver(pin: SourcePin, file: string, final: string, from: string, index: string): Promise<string> {
  try {
    const { size } = await stat(file);
    const actual = await sha256File(file);
    if (!sizeFits(pin, size) || actual !== pin.sha256) {
      const sizes = !sizeFits(pin, size) ? ` (${size} bytes, pinned ${pin.sizeIsLimit ? "at most " : ""}${pin.size})` : "";
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

function toAttempt(provider: Pick<Provider, "label" | "mismatchHint">, error: unknown): Attempt {
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
  const files = [pin.file, ...(pin.insideArchive ? [pin.insideArchive.file] : []), ...(pin.alternatives ?? []).map((a) => a.file)];
  const holding = files.length > 1 ? `${files.slice(0, -1).join(", ")} or ${files.at(-1)}` : pin.file;
  const hint = specific.length
    ? `${specific.join("; ")}; or pass --mirror DIR holding ${holding}`
    : `pass --mirror DIR holding ${holding}, or run scripts/setup-host.sh to enable the apt provider`;
  return new ZilchError({ code: "FETCH", message: `cannot fetch ${pin.file}: ${summary}`, hint });
}
