// Small stand-ins for kernels and seeds, and a kit lock naming them: kit tests move and check
// bytes, so they need no real kernel (and never name a real kernel's hash).
import fs from "node:fs/promises";
import path from "node:path";
import { ARCH, type GuestArch } from "../../src/arch.js";
import type { CurrentInputs } from "../../src/kit/inputs.js";
import { ARTEFACT_FILES, artefactKey, type ArtefactKind, type KitArtefact, type KitLock } from "../../src/kit/kit-lock.js";
import { sha256Hex } from "../../src/sha256.js";

/** The smallest file validateSeed accepts for `arch`: a static ELF executable header with one
 *  PT_LOAD program header, then a marker so different fixtures differ. */
export function fakeSeed(arch: GuestArch, marker = "fixture seed"): Buffer {
  const is64 = ARCH[arch].elfClass === 2;
  const headerSize = is64 ? 64 : 52;
  const phdrSize = is64 ? 56 : 32;
  const elf = Buffer.alloc(headerSize + phdrSize);
  elf.write("\x7fELF", 0, "latin1");
  elf[4] = ARCH[arch].elfClass;
  elf[5] = 1; // little-endian
  elf[6] = 1; // EV_CURRENT
  elf.writeUInt16LE(2, 16); // ET_EXEC
  elf.writeUInt16LE(ARCH[arch].elfMachine, 18);
  if (is64) elf.writeBigUInt64LE(BigInt(headerSize), 32);
  else elf.writeUInt32LE(headerSize, 28);
  elf.writeUInt16LE(phdrSize, is64 ? 54 : 42);
  elf.writeUInt16LE(1, is64 ? 56 : 44);
  elf.writeUInt32LE(1, headerSize); // PT_LOAD
  return Buffer.concat([elf, Buffer.from(`${marker} ${arch}\n`)]);
}

/** Fixture bytes for each file of an artefact. */
export function fixtureFiles(kind: ArtefactKind, arch: GuestArch, marker = "fixture"): Record<string, Buffer> {
  if (kind === "seed") return { "tcc-seed": fakeSeed(arch, marker) };
  return Object.fromEntries(ARTEFACT_FILES.kernel.map((name) => [name, Buffer.from(`${marker} ${name} for ${arch}, not a kernel\n`)]));
}

/** Inputs a test's checkout "has": fixed strings, or what a test swaps in to make entries stale. */
export function fixtureInputs(kind: ArtefactKind, arch: GuestArch): Record<string, string> {
  if (kind === "seed") return { tinyccSha256: sha256Hex("tinycc fixture") };
  return { linuxSha256: sha256Hex("linux fixture"), linuxVersion: "6.1.0-fixture", fragmentSha256: sha256Hex(`fragments ${arch}`), builder: "zilchboot-kernel/test" };
}

export const fixtureCurrentInputs: CurrentInputs = async (kind, arch) => fixtureInputs(kind, arch);

/** Writes artefacts into an images root (x86_64 at its top, i386 in i386/) and returns the lock
 *  entries naming their bytes. */
export async function writeFixtureImages(
  root: string,
  wanted: Array<{ kind: ArtefactKind; arch: GuestArch }>,
  opts: { marker?: string; inputs?: CurrentInputs } = {},
): Promise<KitLock> {
  const artefacts: Record<string, KitArtefact> = {};
  for (const { kind, arch } of wanted) {
    const dir = path.join(root, ARCH[arch].imagesSubdir);
    await fs.mkdir(dir, { recursive: true });
    const files: KitArtefact["files"] = {};
    for (const [name, bytes] of Object.entries(fixtureFiles(kind, arch, opts.marker))) {
      await fs.writeFile(path.join(dir, name), bytes, { mode: name === "tcc-seed" ? 0o755 : 0o644 });
      files[name] = { sha256: sha256Hex(bytes), size: bytes.length };
    }
    artefacts[artefactKey(kind, arch)] = {
      kind,
      arch,
      files,
      inputs: await (opts.inputs ?? fixtureCurrentInputs)(kind, arch),
      ...(kind === "kernel" ? { built: { configSha256: sha256Hex(`config ${arch}`), release: "6.1.0" } } : {}),
      host: { os: "Fixture Linux x64", compiler: "fixture-cc 1.0" },
    };
  }
  return { artefacts, origin: "test kit-lock.json" };
}

export const ALL_ARTEFACTS: Array<{ kind: ArtefactKind; arch: GuestArch }> = [
  { kind: "kernel", arch: "x86_64" },
  { kind: "seed", arch: "x86_64" },
  { kind: "kernel", arch: "i386" },
  { kind: "seed", arch: "i386" },
];
