// A writer for the "newc" cpio format (what the Linux kernel unpacks as an initramfs). Deterministic:
// the same entries give the same bytes on any host (inode numbers in order, mtime 0, owner root), and
// no host file system is consulted, so it works where the host cannot hold Linux modes or device
// nodes (Windows). Uncompressed: the guest kernel is built without initramfs decompressors.

export type CpioEntry =
  | { type: "dir"; path: string; mode: number }
  | { type: "file"; path: string; mode: number; data: Uint8Array }
  | { type: "symlink"; path: string; target: string }
  | { type: "chardev"; path: string; mode: number; major: number; minor: number };

const S_IFDIR = 0o040000, S_IFREG = 0o100000, S_IFLNK = 0o120000, S_IFCHR = 0o020000;
const MAGIC = "070701";
const TRAILER = "TRAILER!!!";
const MAX_FIELD = 0xffffffff;

/** One archive with `entries` in the order given; a parent directory must come before what it holds. */
export function newcArchive(entries: readonly CpioEntry[]): Uint8Array {
  const parts: Uint8Array[] = [];
  let length = 0;
  const add = (bytes: Uint8Array) => {
    parts.push(bytes);
    length += bytes.byteLength;
    const pad = (4 - (bytes.byteLength % 4)) % 4;
    if (pad) {
      parts.push(new Uint8Array(pad));
      length += pad;
    }
  };
  const dirs = new Set<string>();
  entries.forEach((entry, index) => {
    checkPath(entry.path, dirs);
    const data = entry.type === "file" ? entry.data : entry.type === "symlink" ? new TextEncoder().encode(entry.target) : new Uint8Array(0);
    const mode = entry.type === "symlink" ? S_IFLNK | 0o777 : typeBits(entry.type) | checkMode(entry.mode, entry.path);
    const [rdevMajor, rdevMinor] = entry.type === "chardev" ? [entry.major, entry.minor] : [0, 0];
    if (entry.type === "symlink" && entry.target === "") throw new TypeError(`cpio: symlink ${entry.path} has an empty target`);
    // Header and name are padded together to 4 bytes, then the data on its own.
    add(concat(header(index + 1, mode, entry.type === "dir" ? 2 : 1, data.byteLength, rdevMajor, rdevMinor, entry.path), nul(entry.path)));
    add(data);
    if (entry.type === "dir") dirs.add(entry.path);
  });
  add(concat(header(0, 0, 1, 0, 0, 0, TRAILER), nul(TRAILER)));
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}

function typeBits(type: "dir" | "file" | "chardev"): number {
  return type === "dir" ? S_IFDIR : type === "file" ? S_IFREG : S_IFCHR;
}

function checkMode(mode: number, where: string): number {
  if (!Number.isInteger(mode) || mode < 0 || mode > 0o7777) throw new TypeError(`cpio: mode of ${where} must be permission bits (0 to 0o7777), got ${mode}`);
  return mode;
}

/** Relative, normalised, no "..", and inside a directory listed earlier. */
function checkPath(p: string, dirs: ReadonlySet<string>): void {
  const parts = p.split("/");
  if (p === "" || parts.some((part) => part === "" || part === "." || part === "..") || p === TRAILER) {
    throw new TypeError(`cpio: entry path must be relative and normalised (no leading /, ".", ".."), got ${JSON.stringify(p)}`);
  }
  const parent = parts.slice(0, -1).join("/");
  if (parent !== "" && !dirs.has(parent)) throw new TypeError(`cpio: ${p} comes before its directory ${parent}`);
}

function header(ino: number, mode: number, nlink: number, size: number, rdevMajor: number, rdevMinor: number, name: string): Uint8Array {
  const nameSize = new TextEncoder().encode(name).byteLength + 1;
  // ino mode uid gid nlink mtime filesize devmajor devminor rdevmajor rdevminor namesize check
  const fields = [ino, mode, 0, 0, nlink, 0, size, 0, 0, rdevMajor, rdevMinor, nameSize, 0];
  return new TextEncoder().encode(MAGIC + fields.map(hex8).join(""));
}

function hex8(value: number): string {
  if (!Number.isInteger(value) || value < 0 || value > MAX_FIELD) throw new TypeError(`cpio: field value ${value} does not fit 32 bits`);
  return value.toString(16).padStart(8, "0");
}

function nul(name: string): Uint8Array {
  return concat(new TextEncoder().encode(name), new Uint8Array(1));
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.byteLength + b.byteLength);
  out.set(a);
  out.set(b, a.byteLength);
  return out;
}
