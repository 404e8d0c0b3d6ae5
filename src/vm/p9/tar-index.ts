// Reads a tar's table of contents without unpacking it: each entry's path, type, mode, symlink
// target, and where its bytes lie in the archive. Enough for the store's canonical archives
// (src/cache/output-archive.ts: ustar headers, pax extended headers for long or non-ASCII names),
// so a share can serve an output straight from its tar (meta-tree.ts reads the bytes in place):
// nothing is unpacked onto a host file system that might not hold its names, modes or links.
import fs from "node:fs/promises";

export interface TarMember {
  /** Normalised: no "./" prefix, no trailing "/". */
  path: string;
  type: "file" | "dir" | "symlink";
  mode: number;
  size: bigint;
  /** Where the bytes start in the archive (files). */
  offset: bigint;
  target: string;
  mtimeNs: bigint;
}

const BLOCK = 512;

function text(header: Uint8Array, at: number, length: number): string {
  const field = header.subarray(at, at + length);
  const end = field.indexOf(0);
  return Buffer.from(end < 0 ? field : field.subarray(0, end)).toString("utf8");
}

/** A numeric field: octal text, or base-256 when the first byte's high bit is set. */
function number(header: Uint8Array, at: number, length: number): bigint {
  if (header[at] & 0x80) {
    let value = BigInt(header[at] & 0x7f);
    for (let i = 1; i < length; i++) value = (value << 8n) | BigInt(header[at + i]);
    return value;
  }
  const digits = text(header, at, length).trim();
  return digits === "" ? 0n : BigInt(`0o${digits}`);
}

function checksumOk(header: Uint8Array): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i];
  return BigInt(sum) === number(header, 148, 8);
}

/** pax records: "LEN key=value\n" … */
function paxRecords(data: Uint8Array): Map<string, string> {
  const records = new Map<string, string>();
  const all = Buffer.from(data);
  for (let at = 0; at < all.length;) {
    const space = all.indexOf(0x20, at);
    if (space < 0) break;
    const length = Number(all.subarray(at, space).toString("ascii"));
    if (!Number.isInteger(length) || length <= 0) break;
    const record = all.subarray(space + 1, at + length - 1).toString("utf8");
    const equals = record.indexOf("=");
    if (equals > 0) records.set(record.slice(0, equals), record.slice(equals + 1));
    at += length;
  }
  return records;
}

function normalise(name: string): string {
  return name.replace(/^(\.\/)+/, "").replace(/\/+$/, "");
}

/** The archive's members in archive order. Hard links, devices, FIFOs, absolute paths and ".."
 *  are refused (as unpackOutput refuses them): a tar holding one is not a store output. */
export async function readTarIndex(file: string): Promise<TarMember[]> {
  const handle = await fs.open(file, "r");
  const members: TarMember[] = [];
  try {
    const header = new Uint8Array(BLOCK);
    let pax = new Map<string, string>();
    let longName: string | null = null;
    let longLink: string | null = null;
    for (let at = 0n; ;) {
      const { bytesRead } = await handle.read(header, 0, BLOCK, Number(at));
      if (bytesRead < BLOCK || header.every((b) => b === 0)) break;
      if (!checksumOk(header)) throw new Error(`${file}: bad tar header checksum at byte ${at}`);
      const type = String.fromCharCode(header[156] || 0x30);
      const size = number(header, 124, 12);
      const data = at + BigInt(BLOCK);
      at = data + ((size + BigInt(BLOCK - 1)) / BigInt(BLOCK)) * BigInt(BLOCK);
      const body = async () => {
        const bytes = new Uint8Array(Number(size));
        await handle.read(bytes, 0, bytes.byteLength, Number(data));
        return bytes;
      };
      if (type === "x") { pax = paxRecords(await body()); continue; }
      if (type === "g") continue;
      if (type === "L") { longName = text(await body(), 0, Number(size)); continue; }
      if (type === "K") { longLink = text(await body(), 0, Number(size)); continue; }
      const ustar = text(header, 257, 6) === "ustar";
      const prefix = ustar ? text(header, 345, 155) : "";
      const rawName = pax.get("path") ?? longName ?? (prefix ? `${prefix}/${text(header, 0, 100)}` : text(header, 0, 100));
      const target = pax.get("linkpath") ?? longLink ?? text(header, 157, 100);
      const memberSize = pax.has("size") ? BigInt(pax.get("size")!) : size;
      pax = new Map();
      longName = longLink = null;
      const name = normalise(rawName);
      if (name === "" || name === ".") continue;
      if (name.startsWith("/") || name.split("/").includes("..")) throw new Error(`${file}: member ${JSON.stringify(rawName)} is outside the archive's tree`);
      const kind = type === "0" || type === "7" ? "file" : type === "5" ? "dir" : type === "2" ? "symlink" : null;
      if (!kind) throw new Error(`${file}: member ${JSON.stringify(name)} has tar type ${JSON.stringify(type)}; an output holds files, directories and symlinks only`);
      members.push({
        path: name,
        type: kind,
        mode: Number(number(header, 100, 8) & 0o7777n),
        size: kind === "file" ? memberSize : 0n,
        offset: data,
        target: kind === "symlink" ? target : "",
        mtimeNs: number(header, 136, 12) * 1_000_000_000n,
      });
    }
  } finally {
    await handle.close();
  }
  return members;
}
