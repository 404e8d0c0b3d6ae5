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
  /** The pin file this came from, as shown in messages. */
  origin?: string;
}

interface PinsDocument {
  sources: Array<Omit<SourcePin, "origin" | "urls"> & { urls?: string[] }>;
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
    return pin;
  });
  const seen = new Map<string, string>();
  for (const pin of pins) {
    for (const key of [`name ${pin.name}`, `file ${pin.file}`]) {
      if (seen.has(key)) throw declarationError(origin, "", `two pins share the ${key}`, `rename one in ${origin}`);
      seen.set(key, pin.name);
    }
  }
  return pins;
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
