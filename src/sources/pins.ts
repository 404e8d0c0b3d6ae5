// recipes/sources.json is the trust root of the chain: validate it strictly so a typo fails
// loudly at load time instead of as a confusing fetch or build error later.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { ZilchError } from "../errors.js";

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

const HEX64 = /^[0-9a-f]{64}$/;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;
const DEBIAN_PACKAGE = /^[a-z0-9][a-z0-9+.-]+$/;
const DEBIAN_VERSION = /^[A-Za-z0-9.+~:-]+$/;

type Json = Record<string, unknown>;

class Checker {
  constructor(
    private readonly origin: string,
    private readonly where: string,
    private readonly obj: Json,
    allowed: readonly string[],
  ) {
    // Unknown keys are almost always typos ("debainSource"); `$`-keys are comments.
    for (const key of Object.keys(obj)) {
      if (!key.startsWith("$") && !allowed.includes(key)) this.fail(key, "is not a known field");
    }
  }

  fail(field: string, problem: string): never {
    throw new ZilchError({
      code: "PIN",
      message: `${this.origin}: ${this.where}: "${field}" ${problem}`,
      hint: `fix "${field}" in ${this.origin}`,
    });
  }

  string(field: string, pattern: RegExp = /./, what = "a non-empty string"): string {
    const value = this.obj[field];
    if (value === undefined) this.fail(field, "is missing");
    if (typeof value !== "string" || !pattern.test(value)) this.fail(field, `must be ${what}, got ${show(value)}`);
    return value;
  }

  /** A bare file name: it becomes a path under the cache, so no separators or dot-names. */
  fileName(field: string): string {
    const value = this.string(field, /^[^/\\]+$/, "a file name without directories");
    if (value.startsWith(".")) this.fail(field, `must not start with ".", got ${show(value)}`);
    return value;
  }

  /** A path inside a .deb's data archive, written without the archive's leading "./". */
  memberPath(field: string): string {
    const value = this.string(field, /^[^/]/, "a relative path inside the .deb");
    const parts = value.split("/");
    if (parts.some((part) => part === "" || part === "." || part === "..")) {
      this.fail(field, `must be a plain relative path like "usr/src/x.tar.xz", got ${show(value)}`);
    }
    return value;
  }

  sha256(field: string): string {
    return this.string(field, HEX64, "64 lowercase hex digits");
  }

  size(field: string): number {
    const value = this.obj[field];
    if (value === undefined) this.fail(field, "is missing");
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value <= 0) {
      this.fail(field, `must be a positive integer byte count, got ${show(value)}`);
    }
    return value;
  }

  urls(field: string): string[] {
    const value = this.obj[field];
    if (value === undefined) return [];
    if (!Array.isArray(value)) this.fail(field, `must be an array of http(s) URLs, got ${show(value)}`);
    return value.map((url, i) => {
      if (typeof url !== "string" || !/^https?:\/\/[^/\s]+\/\S*$/.test(url)) {
        this.fail(`${field}[${i}]`, `must be an http(s) URL, got ${show(url)}`);
      }
      return url;
    });
  }

  object(field: string): Json | undefined {
    const value = this.obj[field];
    if (value === undefined) return undefined;
    if (!isObject(value)) this.fail(field, `must be an object, got ${show(value)}`);
    return value;
  }
}

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function displayPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith("..") && !path.isAbsolute(rel) ? rel : file;
}

function parsePin(origin: string, index: number, raw: unknown): SourcePin {
  const label = isObject(raw) && typeof raw.name === "string" ? `sources[${index}] (${raw.name})` : `sources[${index}]`;
  if (!isObject(raw)) {
    throw new ZilchError({ code: "PIN", message: `${origin}: ${label} must be an object`, hint: `fix ${origin}` });
  }
  const c = new Checker(origin, label, raw, [
    "name", "version", "file", "sha256", "size", "urls", "debianSource", "debianBinary",
  ]);
  const pin: SourcePin = {
    name: c.string("name", NAME, "a name of letters, digits, . _ + -"),
    version: c.string("version"),
    file: c.fileName("file"),
    sha256: c.sha256("sha256"),
    size: c.size("size"),
    urls: c.urls("urls"),
    origin,
  };
  const src = c.object("debianSource");
  if (src) {
    const d = new Checker(origin, `${label}.debianSource`, src, ["package", "file"]);
    pin.debianSource = { package: d.string("package", DEBIAN_PACKAGE, "a Debian package name"), file: d.fileName("file") };
  }
  const bin = c.object("debianBinary");
  if (bin) {
    const d = new Checker(origin, `${label}.debianBinary`, bin, ["package", "version", "debSha256", "member"]);
    pin.debianBinary = {
      package: d.string("package", DEBIAN_PACKAGE, "a Debian package name"),
      version: d.string("version", DEBIAN_VERSION, "a Debian version"),
      debSha256: d.sha256("debSha256"),
      member: d.memberPath("member"),
    };
  }
  if (pin.debianSource && pin.debianBinary) c.fail("debianBinary", "cannot be combined with debianSource");
  return pin;
}

/** Reads and validates a sources.json; every problem is a PIN error naming the file and field. */
export async function loadPins(file: string): Promise<SourcePin[]> {
  const origin = displayPath(file);
  let doc: unknown;
  try {
    doc = JSON.parse(await readFile(file, "utf8"));
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new ZilchError({ code: "PIN", message: `cannot read ${origin}: ${why}`, cause: error });
  }
  if (!isObject(doc) || !Array.isArray(doc.sources)) {
    throw new ZilchError({ code: "PIN", message: `${origin}: "sources" must be an array of pins` });
  }
  const pins = doc.sources.map((raw, i) => parsePin(origin, i, raw));
  const seen = new Map<string, string>();
  for (const pin of pins) {
    for (const key of [`name ${pin.name}`, `file ${pin.file}`]) {
      if (seen.has(key)) {
        throw new ZilchError({ code: "PIN", message: `${origin}: two pins share the ${key}`, hint: `rename one in ${origin}` });
      }
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
