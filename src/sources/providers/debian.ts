// Pure helpers for reading apt's view of the archive: deb822 stanzas and version order.

export interface SourceStanza {
  package: string;
  version: string;
  /** From Checksums-Sha256: file name → hash and size. */
  files: Map<string, { sha256: string; size: number }>;
}

/** Parses `apt-cache showsrc` output (deb822 stanzas separated by blank lines). */
export function parseShowsrc(text: string): SourceStanza[] {
  const stanzas: SourceStanza[] = [];
  for (const block of text.split(/\n[ \t]*\n/)) {
    const fields = new Map<string, string[]>();
    let current: string[] | undefined;
    for (const line of block.split("\n")) {
      if (/^[ \t]/.test(line)) {
        current?.push(line.trim());
      } else {
        const match = /^([A-Za-z0-9-]+):\s*(.*)$/.exec(line);
        if (!match) continue;
        current = match[2] ? [match[2]] : [];
        fields.set(match[1].toLowerCase(), current);
      }
    }
    const pkg = fields.get("package")?.[0];
    const version = fields.get("version")?.[0];
    if (!pkg || !version) continue;
    const files = new Map<string, { sha256: string; size: number }>();
    for (const entry of fields.get("checksums-sha256") ?? []) {
      const [sha256, size, name] = entry.split(/\s+/);
      if (name && /^[0-9a-f]{64}$/.test(sha256)) files.set(name, { sha256, size: Number(size) });
    }
    stanzas.push({ package: pkg, version, files });
  }
  return stanzas;
}

// dpkg's ordering: '~' sorts before everything (even the end), letters before other characters.
function order(c: string | undefined): number {
  if (c === undefined || (c >= "0" && c <= "9")) return 0;
  if (c === "~") return -1;
  if (/[A-Za-z]/.test(c)) return c.charCodeAt(0);
  return c.charCodeAt(0) + 256;
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= "0" && c <= "9";
}

function compareFragment(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while ((i < a.length && !isDigit(a[i])) || (j < b.length && !isDigit(b[j]))) {
      const diff = order(a[i]) - order(b[j]);
      if (diff) return diff;
      i++;
      j++;
    }
    while (a[i] === "0") i++;
    while (b[j] === "0") j++;
    let firstDiff = 0;
    while (isDigit(a[i]) && isDigit(b[j])) {
      if (!firstDiff) firstDiff = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (isDigit(a[i])) return 1;
    if (isDigit(b[j])) return -1;
    if (firstDiff) return firstDiff;
  }
  return 0;
}

function split(version: string): [number, string, string] {
  const colon = version.indexOf(":");
  const epoch = colon >= 0 ? Number(version.slice(0, colon)) || 0 : 0;
  const rest = colon >= 0 ? version.slice(colon + 1) : version;
  const dash = rest.lastIndexOf("-");
  return dash >= 0 ? [epoch, rest.slice(0, dash), rest.slice(dash + 1)] : [epoch, rest, ""];
}

/** Negative, zero or positive like dpkg --compare-versions a lt/eq/gt b. */
export function compareDebianVersions(a: string, b: string): number {
  const [ea, ua, ra] = split(a);
  const [eb, ub, rb] = split(b);
  if (ea !== eb) return ea - eb;
  return Math.sign(compareFragment(ua, ub) || compareFragment(ra, rb));
}

export interface BinaryStanza {
  package: string;
  version: string;
  sha256: string;
  size: number;
}

/** The binary packages in `apt-cache show` output (Packages stanzas), those lacking a field left out. */
export function parseBinaryStanzas(text: string): BinaryStanza[] {
  const stanzas: BinaryStanza[] = [];
  for (const block of text.split(/\n[ \t]*\n/)) {
    const field = (name: string): string | undefined => new RegExp(`^${name}:[ \\t]*(\\S+)`, "mi").exec(block)?.[1];
    const [pkg, version, sha256, size] = [field("Package"), field("Version"), field("SHA256"), field("Size")];
    if (pkg && version && sha256 && /^[0-9a-f]{64}$/.test(sha256) && size && /^\d+$/.test(size)) {
      stanzas.push({ package: pkg, version, sha256, size: Number(size) });
    }
  }
  return stanzas;
}
