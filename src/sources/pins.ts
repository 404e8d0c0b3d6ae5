// recipes/sources.json is the trust root of the chain: validate it strictly (against
// recipes/schema/sources.schema.json) so a typo fails loudly at load time instead of as a
// confusing fetch or build error later.
import { didYouMean } from "../did-you-mean.js";
import { ZilchError } from "../errors.js";
import { declarationError, displayPath, readJsonFile, validateDocument } from "../schema/json-schema.js";

/** An `apt-get source` original tarball carrying exactly the pinned bytes. */
export interface DebianSource {
  package: string;
  file: string;
}

/** A binary .deb (pinned by its own hash) that contains the pinned file at `member`. */
export interface DebianBinary {
  package: string;
  version: string;
  debSha256: string;
  /** The .deb's size: bounds a download from `urls`. */
  debSize?: number;
  /** Where the .deb itself lives once Debian's archive has dropped it (checked by debSha256). */
  urls?: string[];
  member: string;
}

/** An archive, pinned by its own bytes, that holds the pinned file at `member` (GCC 10's
 *  gcc-10.2.0-dfsg.tar.xz exists only inside Debian's gcc-10_10.2.1.orig.tar.xz). */
export interface InsideArchive {
  /** The archive's name in the download cache and in mirrors. */
  file: string;
  sha256: string;
  size: number;
  /** Path of the pinned file inside the archive. */
  member: string;
  urls: string[];
  debianSource?: DebianSource;
}

/** Another file with the same source: GNU's tarball beside Debian's repack, or a git snapshot.
 *  Accepted when its unpacked tree, less `drop` and `differs`, hashes to `treeSha256` (the pin's
 *  own tree less `differs`); then served in the pin's layout under the pin's file name. */
export interface Alternative {
  file: string;
  /** The exact bytes, from public pin lists; absent for a snapshot whose compression varies. */
  sha256?: string;
  size?: number;
  urls: string[];
  /** The one directory it unpacks to; "*": one directory of any name; ".": the archive root. */
  unpacksTo: string;
  treeSha256: string;
  /** Paths it has and the pin's file lacks: deleted before comparing and serving. */
  drop: string[];
  /** Paths both have with other bytes: not compared, served as this file has them. */
  differs: string[];
}

/** Which file a source came from: the pin's own, or one of its alternatives (build records say). */
export interface SourceUse {
  file: string;
  /** The fetched file's sha256; null for a snapshot alternative, whose tree alone was checked. */
  sha256: string | null;
  /** Index in the pin's alternatives; absent for the pin's own file. */
  alternative?: number;
  treeSha256?: string;
}

export interface SourcePin {
  name: string;
  version: string;
  /** Name in the download cache and in mirrors. */
  file: string;
  sha256: string;
  size: number;
  urls: string[];
  debianSource?: DebianSource;
  debianBinary?: DebianBinary;
  /** Where the file can be extracted from when nobody serves it directly. */
  insideArchive?: InsideArchive;
  /** The directory the file unpacks to, "." for the archive root (needed with alternatives). */
  unpacksTo?: string;
  /** Other files with the same source, tried after urls and before apt. */
  alternatives?: Alternative[];
  /** `size` is an upper bound for a download, not the exact size (an alternative whose public
   *  pins give no size). */
  sizeIsLimit?: boolean;
  /** The pin file this came from, as shown in messages. */
  origin?: string;
}

type RawAlternative = Omit<Alternative, "drop" | "differs"> & { drop?: string[]; differs?: string[] };

interface PinsDocument {
  sources: Array<
    Omit<SourcePin, "origin" | "urls" | "insideArchive" | "alternatives" | "sizeIsLimit"> & {
      urls?: string[];
      insideArchive?: Omit<InsideArchive, "urls"> & { urls?: string[] };
      alternatives?: RawAlternative[];
    }
  >;
}

/** Reads and validates a sources.json; every problem is a PIN error naming the file and field. */
export async function loadPins(file: string): Promise<SourcePin[]> {
  const origin = displayPath(file);
  const doc = await validateDocument<PinsDocument>("sources", await readJsonFile(file), origin);
  // `$`-keys are comments: dropped here so no pin carries them.
  const pins = doc.sources.map((raw): SourcePin => {
    const pin: SourcePin = { name: raw.name, version: raw.version, file: raw.file, sha256: raw.sha256, size: raw.size, urls: raw.urls ?? [], origin };
    if (raw.debianSource) pin.debianSource = { package: raw.debianSource.package, file: raw.debianSource.file };
    if (raw.debianBinary) {
      const { package: pkg, version, debSha256, member } = raw.debianBinary;
      pin.debianBinary = { package: pkg, version, debSha256, member };
    }
    if (raw.insideArchive) {
      const { file, sha256, size, member, urls, debianSource } = raw.insideArchive;
      pin.insideArchive = { file, sha256, size, member, urls: urls ?? [] };
      if (debianSource) pin.insideArchive.debianSource = { package: debianSource.package, file: debianSource.file };
    }
    if (raw.unpacksTo !== undefined) pin.unpacksTo = raw.unpacksTo;
    if (raw.alternatives) pin.alternatives = raw.alternatives.map(readAlternative);
    return pin;
  });
  checkArchives(pins, origin);
  checkAlternatives(pins, origin);
  const seen = new Map<string, string>();
  for (const pin of pins) {
    for (const key of [`name ${pin.name}`, `file ${pin.file}`]) {
      if (seen.has(key)) throw declarationError(origin, "", `two pins share the ${key}`, `rename one in ${origin}`);
      seen.set(key, pin.name);
    }
  }
  return pins;
}

// An archive lands in the same download cache as the pins, under its own name: one name must
// always mean one set of bytes, or two fetches would keep deleting each other's "corrupt" copy.
function checkArchives(pins: readonly SourcePin[], origin: string): void {
  const bytesOf = new Map(pins.map((pin) => [pin.file, { sha256: pin.sha256, size: pin.size, by: `pin "${pin.name}"` }]));
  for (const [index, pin] of pins.entries()) {
    const archive = pin.insideArchive;
    if (!archive) continue;
    const where = `sources[${index}] (${pin.name}).insideArchive`;
    if (archive.file === pin.file) throw declarationError(origin, where, `"file" is the pin's own file ${pin.file}`, `name the archive in insideArchive.file and the file inside it in "file"`);
    const known = bytesOf.get(archive.file);
    if (known && (known.sha256 !== archive.sha256 || known.size !== archive.size)) {
      throw declarationError(origin, where, `${archive.file} is pinned with other bytes by ${known.by}`, `make both pins of ${archive.file} agree in ${origin}`);
    }
    bytesOf.set(archive.file, { sha256: archive.sha256, size: archive.size, by: `the insideArchive of "${pin.name}"` });
  }
}

function readAlternative(raw: RawAlternative): Alternative {
  const alternative: Alternative = {
    file: raw.file,
    urls: raw.urls,
    unpacksTo: raw.unpacksTo,
    treeSha256: raw.treeSha256,
    drop: raw.drop ?? [],
    differs: raw.differs ?? [],
  };
  if (raw.sha256 !== undefined) alternative.sha256 = raw.sha256;
  if (raw.size !== undefined) alternative.size = raw.size;
  return alternative;
}

// What the schema cannot say: an alternative's name must mean one set of bytes in the cache and in
// mirrors, and a snapshot (no sha256) must be pinned whole by its tree.
function checkAlternatives(pins: readonly SourcePin[], origin: string): void {
  const owner = new Map<string, string>();
  for (const pin of pins) {
    owner.set(pin.file, `pin "${pin.name}"`);
    if (pin.insideArchive) owner.set(pin.insideArchive.file, `the insideArchive of "${pin.name}"`);
  }
  for (const [index, pin] of pins.entries()) {
    for (const [i, alternative] of (pin.alternatives ?? []).entries()) {
      const where = `sources[${index}] (${pin.name}).alternatives[${i}]`;
      const taken = owner.get(alternative.file);
      if (taken) throw declarationError(origin, where, `"file" ${alternative.file} is already the file of ${taken}`, `give the alternative its own name in ${origin}`);
      owner.set(alternative.file, `alternatives[${i}] of "${pin.name}"`);
      if (alternative.sha256 === undefined && alternative.differs.length > 0) {
        throw declarationError(origin, where, `"differs" needs "sha256": a snapshot's content is pinned only by its tree, so no path may be left out of it`, `pin the file's sha256, or compare every path`);
      }
      for (const key of ["drop", "differs"] as const) {
        const paths = alternative[key];
        const twice = paths.find((p, n) => paths.indexOf(p) !== n || (key === "differs" && alternative.drop.includes(p)));
        if (twice) throw declarationError(origin, where, `"${key}" lists ${twice} twice (or in both drop and differs)`);
      }
    }
  }
}

/** Alternative `index` of a pin as a pin of its own, for fetching its exact bytes (those with a
 *  sha256) into the cache under its own name; without a known size, size is a download limit. */
export function alternativePin(pin: SourcePin, index: number, sizeLimit: number): SourcePin {
  const alternative = pin.alternatives?.[index];
  if (!alternative?.sha256) throw new Error(`alternatives[${index}] of "${pin.name}" pins no sha256`);
  return {
    name: `${pin.name}.alternatives[${index}]`,
    version: pin.version,
    file: alternative.file,
    sha256: alternative.sha256,
    size: alternative.size ?? sizeLimit,
    ...(alternative.size === undefined ? { sizeIsLimit: true } : {}),
    urls: alternative.urls,
    ...(pin.origin === undefined ? {} : { origin: pin.origin }),
  };
}

/** The archive a pin's file is extracted from, as a pin of its own (fetched like any other). */
export function archivePin(pin: SourcePin & { insideArchive: InsideArchive }): SourcePin {
  const { file, sha256, size, urls, debianSource } = pin.insideArchive;
  return {
    // The name reads as the field that holds it in messages and hints ("gcc-10.insideArchive").
    name: `${pin.name}.insideArchive`,
    version: pin.version,
    file,
    sha256,
    size,
    urls,
    ...(debianSource ? { debianSource } : {}),
    ...(pin.origin === undefined ? {} : { origin: pin.origin }),
  };
}

/** The pin called `name`; unknown names list the known ones. */
/** A pin name typed on the command line that sources.json lacks: a usage error, with the closest
 *  names (or the known ones) and no file path. */
export function unknownPin(name: string, pins: readonly SourcePin[]): ZilchError {
  const known = pins.map((p) => p.name);
  return new ZilchError({ code: "USAGE", message: `no source pin named ${JSON.stringify(name)}`, hint: didYouMean(name, known) ?? `known pins: ${known.join(", ") || "(none)"}` });
}

export function findPin(pins: readonly SourcePin[], name: string): SourcePin {
  const pin = pins.find((p) => p.name === name);
  if (pin) return pin;
  const origin = pins[0]?.origin ?? "the source pins";
  throw new ZilchError({
    code: "PIN",
    message: `no source pin named "${name}" in ${origin}; known: ${pins.map((p) => p.name).join(", ") || "(none)"}`,
  });
}
