// Checks that a file can be the seed: the guest has no dynamic loader and no libc, so the seed
// must be a static, non-PIE executable for the guest's architecture (ELF64 x86_64 or ELF32 i386)
// that the kernel can map and run as PID 1.
import fs from "node:fs/promises";
import { ARCH, type GuestArch } from "../arch.js";
import { ZilchError } from "../errors.js";

const ET_EXEC = 2;
const PT_INTERP = 3;

const MACHINES: Record<number, string> = {
  3: "i386",
  8: "mips",
  20: "ppc",
  21: "ppc64",
  22: "s390",
  40: "arm",
  62: "x86_64",
  183: "aarch64",
  243: "riscv",
  258: "loongarch",
};

const TYPES: Record<number, string> = {
  0: "ET_NONE",
  1: "ET_REL: a relocatable object, not an executable",
  3: "ET_DYN: position-independent (static-pie or shared library), need ET_EXEC: link with -static -no-pie",
  4: "ET_CORE: a core dump",
};

/** Throws ZilchError SEED saying exactly what is wrong unless `file` is a static executable for `arch`. */
export async function validateSeed(file: string, arch: GuestArch = "x86_64"): Promise<void> {
  const problem = await seedProblem(file, arch);
  if (problem !== undefined) {
    const flag = arch === "x86_64" ? "" : ` --arch ${arch}`;
    throw new ZilchError({
      code: "SEED",
      message: `${file} is not a usable seed: ${problem}`,
      hint: `build one with \`zilchboot seed${flag}\` or pass a static ${arch} tcc with --seed`,
    });
  }
}

/** What makes `file` unusable as a seed for `arch`, or undefined if it is fine. */
export async function seedProblem(file: string, arch: GuestArch = "x86_64"): Promise<string | undefined> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, "r");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === "ENOENT" ? "no such file" : `cannot open it (${code ?? String(error)})`;
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) return "not a regular file";
    const read = async (offset: number, length: number): Promise<Buffer> => {
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buffer, 0, length, offset);
      return buffer.subarray(0, bytesRead);
    };
    return await elfProblem(read, stat.size, arch);
  } finally {
    await handle.close();
  }
}

type ReadAt = (offset: number, length: number) => Promise<Buffer>;

/** Where the fields we read sit in ELF32 and ELF64 (little-endian) headers and program headers. */
interface ElfLayout {
  headerSize: number;
  phoff: number;
  /** e_phentsize; e_phnum follows it. */
  phentsize: number;
  phdrSize: number;
  pOffset: number;
  pFilesz: number;
  /** Reads an address-sized field (Elf32_Off / Elf64_Off). */
  word: (buf: Buffer, at: number) => number;
}

const ELF64: ElfLayout = { headerSize: 64, phoff: 32, phentsize: 54, phdrSize: 56, pOffset: 8, pFilesz: 32, word: (b, at) => Number(b.readBigUInt64LE(at)) };
const ELF32: ElfLayout = { headerSize: 52, phoff: 28, phentsize: 42, phdrSize: 32, pOffset: 4, pFilesz: 16, word: (b, at) => b.readUInt32LE(at) };

async function elfProblem(read: ReadAt, size: number, arch: GuestArch): Promise<string | undefined> {
  const ident = await read(0, 64);
  if (ident.length < 4 || ident.readUInt32BE(0) !== 0x7f454c46) return "not an ELF file";
  if (ident.length < 20) return `truncated ELF header (${size} bytes)`;
  const elfClass = ident[4];
  const data = ident[5];
  if (elfClass !== 1 && elfClass !== 2) return `unknown ELF class ${elfClass}`;
  if (data !== 1 && data !== 2) return `unknown ELF data encoding ${data}`;
  const little = data === 1;
  const u16 = (buf: Buffer, at: number) => (little ? buf.readUInt16LE(at) : buf.readUInt16BE(at));
  const machine = u16(ident, 18);
  const want = ARCH[arch];
  if (elfClass !== want.elfClass || !little || machine !== want.elfMachine) {
    const machineName = MACHINES[machine] ?? `machine ${machine}`;
    return `ELF${elfClass === 2 ? 64 : 32}${little ? "" : " big-endian"} ${machineName}, need ELF${want.elfClass === 2 ? 64 : 32} ${arch}`;
  }
  const layout = elfClass === 2 ? ELF64 : ELF32;
  if (ident.length < layout.headerSize) return `truncated ELF header (${size} bytes)`;

  // Program headers first: a dynamic PIE is ET_DYN too, and "dynamically linked" is the real news.
  const phoff = layout.word(ident, layout.phoff);
  const phentsize = ident.readUInt16LE(layout.phentsize);
  const phnum = ident.readUInt16LE(layout.phentsize + 2);
  if (phnum === 0) return "no program headers: not an executable";
  if (phentsize < layout.phdrSize || phoff + phentsize * phnum > size) {
    return "program headers lie outside the file (truncated or corrupt)";
  }
  const table = await read(phoff, phentsize * phnum);
  for (let i = 0; i < phnum; i++) {
    const at = i * phentsize;
    if (table.readUInt32LE(at) !== PT_INTERP) continue;
    const offset = layout.word(table, at + layout.pOffset);
    const length = Math.min(layout.word(table, at + layout.pFilesz), 4096);
    const interp = (await read(offset, length)).toString("latin1").replace(/\0.*$/s, "");
    return `dynamically linked (PT_INTERP ${interp})`;
  }

  const type = ident.readUInt16LE(16);
  if (type !== ET_EXEC) return `not a static executable (${TYPES[type] ?? `e_type ${type}`})`;
  return undefined;
}
