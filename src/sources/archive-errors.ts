// The one-line refusals of a source archive, shared by unpacking (source-tree.ts) and reading its
// tar stream (streamed-tree.ts), so both say the same thing about the same archive.
import { lastLine, ProviderFailure } from "./providers/provider.js";

/** The archive could not be decompressed or parsed. */
export function unreadableArchive(archiveName: string, error: unknown): ProviderFailure {
  const why = error instanceof Error ? (error as Error & { stderr?: string }).stderr || error.message : String(error);
  return new ProviderFailure(`cannot unpack ${archiveName}: ${lastLine(why)}`, "check that the file's name says its compression (.tar, .tar.gz, .tar.bz2, .tar.xz)");
}

/** The archive holds `names` at its top, not the one directory `unpacksTo` ("*": any name). */
export function notOneDirectory(archiveName: string, unpacksTo: string, names: readonly string[]): ProviderFailure {
  const wanted = unpacksTo === "*" ? "one directory" : `one directory ${unpacksTo}/`;
  const shown = names.slice(0, 5).join(", ") + (names.length > 5 ? `, … (${names.length} entries)` : "");
  return new ProviderFailure(`${archiveName} does not unpack to ${wanted}: it holds ${shown || "nothing"}`, "check the alternative's unpacksTo");
}

/** A `drop` path the archive does not have: the declaration is wrong. */
export function nothingToDrop(archiveName: string, relative: string): ProviderFailure {
  return new ProviderFailure(`${archiveName} has no ${relative} to drop`, "check the alternative's drop list");
}
