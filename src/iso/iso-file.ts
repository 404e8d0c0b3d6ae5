// Checks that a file is an ISO 9660 image a PC BIOS can boot, before QEMU is started: QEMU
// would happily "boot" a text file and leave the user staring at SeaBIOS's "No bootable device".
import fs from "node:fs/promises";
import { ZilchError } from "../errors.js";

const SECTOR = 2048;
/** Volume descriptors start at sector 16; each one repeats the standard identifier. */
const FIRST_DESCRIPTOR = 16 * SECTOR;
const STANDARD_ID = "CD001";
const EL_TORITO_ID = "EL TORITO SPECIFICATION";
/** Real images hold a handful of descriptors (primary, boot record, Joliet, terminator). */
const MAX_DESCRIPTORS = 32;

/** El Torito platform IDs (boot catalog validation entry and section headers). */
export type BootPlatform = "bios" | "efi" | "powerpc" | "mac" | `unknown-0x${string}`;

export interface IsoInfo {
  /** Primary volume identifier, e.g. "Debian 12.5.0 amd64 n". */
  volumeId: string;
  /** Platforms with a bootable entry in the El Torito catalog; empty when the image has no boot record. */
  bootPlatforms: BootPlatform[];
  bytes: number;
}

export interface VolumeDescriptors {
  volumeId: string;
  /** Sector of the El Torito boot catalog, when a boot record names one. */
  bootCatalogSector: number | null;
}

/** Reads the volume descriptor set (bytes from 0x8000 on); null when the "CD001" signature is missing. */
export function parseVolumeDescriptors(area: Buffer): VolumeDescriptors | null {
  if (area.length < 6 || area.toString("latin1", 1, 6) !== STANDARD_ID) return null;
  let volumeId = "";
  let bootCatalogSector: number | null = null;
  for (let i = 0; i < MAX_DESCRIPTORS && (i + 1) * SECTOR <= area.length; i++) {
    const d = area.subarray(i * SECTOR, (i + 1) * SECTOR);
    if (d.toString("latin1", 1, 6) !== STANDARD_ID) break;
    const type = d[0];
    if (type === 0 && d.toString("latin1", 7, 39).replace(/\0+$/, "") === EL_TORITO_ID) bootCatalogSector = d.readUInt32LE(0x47);
    if (type === 1) volumeId = d.toString("latin1", 40, 72).replace(/[\0 ]+$/, "");
    if (type === 255) break;
  }
  return { volumeId, bootCatalogSector };
}

function platformName(id: number): BootPlatform {
  if (id === 0) return "bios";
  if (id === 0xef) return "efi";
  if (id === 1) return "powerpc";
  if (id === 2) return "mac";
  return `unknown-0x${id.toString(16)}`;
}

/** Platforms with at least one bootable (0x88) entry in an El Torito boot catalog sector. */
export function parseBootCatalog(catalog: Buffer): BootPlatform[] {
  // Validation entry: header 0x01, platform, …, key bytes 0x55 0xAA at offsets 30–31.
  if (catalog.length < 64 || catalog[0] !== 0x01 || catalog[30] !== 0x55 || catalog[31] !== 0xaa) return [];
  const platforms = new Set<BootPlatform>();
  let platform = catalog[1];
  if (catalog[32] === 0x88) platforms.add(platformName(platform));
  // Section headers (0x90: more follow, 0x91: last) each name a platform and count their entries.
  for (let offset = 64; offset + 32 <= catalog.length;) {
    const header = catalog[offset];
    if (header !== 0x90 && header !== 0x91) break;
    platform = catalog[offset + 1];
    const entries = catalog.readUInt16LE(offset + 2);
    offset += 32;
    for (let n = 0; n < entries && offset + 32 <= catalog.length; n++, offset += 32) {
      if (catalog[offset] === 0x88) platforms.add(platformName(platform));
      // Extension entries (0x44) continue the entry before them and are not counted.
      while (offset + 64 <= catalog.length && catalog[offset + 32] === 0x44) offset += 32;
    }
    if (header === 0x91) break;
  }
  return [...platforms];
}

async function readAt(handle: fs.FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await handle.read(buffer, 0, length, position);
  return buffer.subarray(0, bytesRead);
}

/** What the image is, or a ZilchError saying why it cannot be booted. */
export async function inspectIso(file: string): Promise<IsoInfo> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, "r");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "does not exist" : code === "EACCES" ? "is not readable (permission denied)" : `cannot be opened (${code ?? String(error)})`;
    throw new ZilchError({ code: "USAGE", message: `${file} ${why}`, hint: "pass the path of a bootable .iso image", cause: error });
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new ZilchError({ code: "USAGE", message: `${file} is not a regular file`, hint: "pass the path of a bootable .iso image" });
    const descriptors = parseVolumeDescriptors(await readAt(handle, FIRST_DESCRIPTOR, MAX_DESCRIPTORS * SECTOR));
    if (!descriptors) {
      throw new ZilchError({
        code: "USAGE",
        message: `${file} is not an ISO 9660 image (no "CD001" signature at byte 0x8001)`,
        hint: "boot-iso boots CD/DVD images (.iso); check the file is complete and not a disk image",
      });
    }
    const bootPlatforms = descriptors.bootCatalogSector === null
      ? []
      : parseBootCatalog(await readAt(handle, descriptors.bootCatalogSector * SECTOR, SECTOR));
    if (bootPlatforms.length === 0) {
      throw new ZilchError({
        code: "USAGE",
        message: `${file} is an ISO 9660 image without a bootable El Torito entry (a data disc)`,
        hint: "give it a boot loader (e.g. grub-mkrescue, or xorriso with -b and -boot-load-size 4)",
      });
    }
    if (!bootPlatforms.includes("bios")) {
      throw new ZilchError({
        code: "USAGE",
        message: `${file} has El Torito entries only for ${bootPlatforms.join(", ")}, none for PC BIOS`,
        hint: "boot-iso starts QEMU with BIOS firmware (SeaBIOS); rebuild the image with a BIOS boot loader (e.g. grub-pc-bin's grub-mkrescue)",
      });
    }
    return { volumeId: descriptors.volumeId, bootPlatforms, bytes: stat.size };
  } finally {
    await handle.close();
  }
}
