// recipes/sources.json is the trust root of the chain: validate it strictly (against
// recipes/schema/sources.schema.json) so a typo fails loudly at load time instead of as a
// confusing fetch or build error later.
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
  /** The pin file this came from, as shown in messages. */
  origin?: string;
}

interface PinsDocument {
  sources: Array<Omit<SourcePin, "origin" | "urls" | "insideArchive"> & { urls?: string[]; insideArchive?: Omit<InsideArchive, "urls"> & { urls?: string[] } }>;
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
    return pin;
  });
  checkArchives(pins, origin);
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
export function findPin(pins: readonly SourcePin[], name: string): SourcePin {
  const pin = pins.find((p) => p.name === name);
  if (pin) return pin;
  const origin = pins[0]?.origin ?? "the source pins";
  throw new ZilchError({
    code: "PIN",
    message: `no source pin named "${name}" in ${origin}; known: ${pins.map((p) => p.name).join(", ") || "(none)"}`,
  });
}
