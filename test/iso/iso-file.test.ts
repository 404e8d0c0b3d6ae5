// ISO validation before QEMU starts: real images made with xorriso, and the parsers on crafted bytes.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { after, before, test } from "node:test";
import { execa } from "execa";
import { inspectIso, parseBootCatalog, parseVolumeDescriptors } from "../../src/iso/iso-file.js";
import { ZilchError } from "../../src/errors.js";
import { tempDir } from "../helpers/provisioned.js";

let dir: string;

/** An image made by xorriso from a tiny tree; `boot` adds El Torito entries pointing at a dummy image. */
async function xorrisoImage(name: string, boot: string[]): Promise<string> {
  const tree = path.join(dir, "tree");
  await fs.mkdir(tree, { recursive: true });
  await fs.writeFile(path.join(tree, "readme.txt"), "hello\n");
  await fs.writeFile(path.join(tree, "boot.img"), Buffer.alloc(2048));
  const iso = path.join(dir, name);
  await execa("xorriso", ["-as", "mkisofs", "-quiet", "-V", "ZB_TEST", "-o", iso, ...boot, tree]);
  return iso;
}

async function rejection(file: string): Promise<ZilchError> {
  const error = await inspectIso(file).then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof ZilchError, `expected a ZilchError for ${file}`);
  return error;
}

before(async () => {
  dir = await tempDir("iso-file");
});

after(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

test("a BIOS-bootable image is accepted with its volume name and boot platforms", async () => {
  const iso = await xorrisoImage("hybrid.iso", ["-b", "boot.img", "-no-emul-boot", "-boot-load-size", "4", "-eltorito-alt-boot", "-e", "boot.img", "-no-emul-boot"]);
  const info = await inspectIso(iso);
  assert.equal(info.volumeId, "ZB_TEST");
  assert.deepEqual(info.bootPlatforms, ["bios", "efi"]);
  assert.equal(info.bytes, (await fs.stat(iso)).size);
});

test("a data disc without El Torito is refused: nothing could boot it", async () => {
  const error = await rejection(await xorrisoImage("data.iso", []));
  assert.match(error.message, /data\.iso is an ISO 9660 image without a bootable El Torito entry \(a data disc\)/);
  assert.match(error.hint ?? "", /grub-mkrescue/);
});

test("a UEFI-only image is refused, because boot-iso's firmware is BIOS", async () => {
  const error = await rejection(await xorrisoImage("efi.iso", ["-e", "boot.img", "-no-emul-boot"]));
  assert.match(error.message, /efi\.iso has El Torito entries only for efi, none for PC BIOS/);
  assert.match(error.hint ?? "", /SeaBIOS/);
});

test("missing files, directories, short files and non-ISO files get one line each", async () => {
  assert.match((await rejection(path.join(dir, "nope.iso"))).message, /nope\.iso does not exist$/);
  assert.match((await rejection(dir)).message, /is not a regular file$/);
  const text = path.join(dir, "notes.iso");
  await fs.writeFile(text, "not an image\n");
  const short = await rejection(text);
  assert.match(short.message, /notes\.iso is not an ISO 9660 image \(no "CD001" signature at byte 0x8001\)/);
  assert.equal(short.code, "USAGE");
  // Long enough, but zeros where the signature belongs (e.g. a raw disk image).
  const disk = path.join(dir, "disk.img");
  await fs.writeFile(disk, Buffer.alloc(64 * 1024));
  assert.match((await rejection(disk)).message, /no "CD001" signature/);
});

function descriptor(type: number, fill: (d: Buffer) => void = () => {}): Buffer {
  const d = Buffer.alloc(2048);
  d[0] = type;
  d.write("CD001", 1, "latin1");
  d[6] = 1;
  fill(d);
  return d;
}

test("volume descriptors: the boot record's catalog sector and the primary volume name are read; no signature → null", () => {
  const area = Buffer.concat([
    descriptor(1, (d) => d.write("MY_VOLUME".padEnd(32), 40, "latin1")),
    descriptor(0, (d) => {
      d.write("EL TORITO SPECIFICATION", 7, "latin1");
      d.writeUInt32LE(35, 0x47);
    }),
    descriptor(255),
  ]);
  assert.deepEqual(parseVolumeDescriptors(area), { volumeId: "MY_VOLUME", bootCatalogSector: 35 });
  assert.deepEqual(parseVolumeDescriptors(Buffer.concat([descriptor(1), descriptor(255)])), { volumeId: "", bootCatalogSector: null });
  assert.equal(parseVolumeDescriptors(Buffer.alloc(4096)), null);
  assert.equal(parseVolumeDescriptors(Buffer.alloc(0)), null);
});

function entry(bytes: number[]): Buffer {
  const e = Buffer.alloc(32);
  Buffer.from(bytes).copy(e);
  return e;
}

test("boot catalog: default entry and section entries count only when bootable (0x88); a bad validation entry yields none", () => {
  const validation = (platform: number) => {
    const e = entry([0x01, platform]);
    e[30] = 0x55;
    e[31] = 0xaa;
    return e;
  };
  const bootable = entry([0x88]);
  const notBootable = entry([0x00]);
  const section = (last: boolean, platform: number, count: number) => entry([last ? 0x91 : 0x90, platform, count, 0]);
  assert.deepEqual(parseBootCatalog(Buffer.concat([validation(0), bootable])), ["bios"]);
  assert.deepEqual(parseBootCatalog(Buffer.concat([validation(0), notBootable, section(true, 0xef, 1), bootable])), ["efi"]);
  assert.deepEqual(
    parseBootCatalog(Buffer.concat([validation(0), bootable, section(false, 0xef, 2), notBootable, entry([0x44]), bootable, section(true, 2, 1), bootable])),
    ["bios", "efi", "mac"],
  );
  const broken = Buffer.concat([validation(0), bootable]);
  broken[31] = 0;
  assert.deepEqual(parseBootCatalog(broken), []);
});
