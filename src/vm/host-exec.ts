// Whether this host's kernel executes programs built for a guest arch: the native runner runs a
// stage's programs on the host kernel, so an i386 stage needs IA32 emulation, which kernels may
// lack (CONFIG_IA32_EMULATION off), boot without (`ia32_emulation=0`) or default off
// (CONFIG_IA32_EMULATION_DEFAULT_DISABLED). A config flag proves nothing, so the probe runs a
// program: a static ELF of a few dozen bytes, written here byte by byte (no compiler needed), that
// only exits with status 42. The verdict is cached per host kernel and boot, like the accelerator
// verdicts: a new kernel or a reboot with other command-line options probes again.
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import { ARCH, type GuestArch } from "../arch.js";
import { ZilchError } from "../errors.js";
import { writeJsonAtomic } from "../store/atomic-file.js";

/** The status the probe program exits with: nothing else (a shell that tried the file as a
 *  script, an emulator that failed) returns it by chance. */
export const PROBE_STATUS = 42;

const LOAD_ADDRESS = 0x08048000;

/** Machine code that exits with PROBE_STATUS, per arch (Linux system-call conventions). */
const EXIT_CODE: Record<GuestArch, number[]> = {
  // mov eax, 1 (exit); mov ebx, 42; int 0x80
  i386: [0xb8, 0x01, 0x00, 0x00, 0x00, 0xbb, PROBE_STATUS, 0x00, 0x00, 0x00, 0xcd, 0x80],
  // mov eax, 60 (exit); mov edi, 42; syscall
  x86_64: [0xb8, 0x3c, 0x00, 0x00, 0x00, 0xbf, PROBE_STATUS, 0x00, 0x00, 0x00, 0x0f, 0x05],
};

/** A static ET_EXEC ELF for `arch` with one PT_LOAD segment (headers and code) and its entry
 *  point right after the program header. Pure, so tests check it without executing it. */
export function probeProgram(arch: GuestArch): Buffer {
  const { elfClass, elfMachine } = ARCH[arch];
  const wide = elfClass === 2;
  const ehsize = wide ? 64 : 52;
  const phentsize = wide ? 56 : 32;
  const code = EXIT_CODE[arch];
  const size = ehsize + phentsize + code.length;
  const file = Buffer.alloc(size);
  file.set([0x7f, 0x45, 0x4c, 0x46, elfClass, 1 /* little-endian */, 1 /* EV_CURRENT */], 0);
  const entry = LOAD_ADDRESS + ehsize + phentsize;
  const word = (at: number, value: number) => (wide ? file.writeBigUInt64LE(BigInt(value), at) : file.writeUInt32LE(value, at));
  file.writeUInt16LE(2, 16); // e_type ET_EXEC
  file.writeUInt16LE(elfMachine, 18);
  file.writeUInt32LE(1, 20); // e_version
  const w = wide ? 8 : 4;
  word(24, entry); // e_entry
  word(24 + w, ehsize); // e_phoff
  // e_shoff 0, e_flags 0
  const after = 24 + 3 * w + 4;
  file.writeUInt16LE(ehsize, after); // e_ehsize
  file.writeUInt16LE(phentsize, after + 2);
  file.writeUInt16LE(1, after + 4); // e_phnum
  // e_shentsize, e_shnum, e_shstrndx: 0
  const ph = ehsize;
  file.writeUInt32LE(1, ph); // p_type PT_LOAD
  if (wide) {
    file.writeUInt32LE(5, ph + 4); // p_flags R+X
    word(ph + 8, 0); // p_offset
    word(ph + 16, LOAD_ADDRESS); // p_vaddr
    word(ph + 24, LOAD_ADDRESS); // p_paddr
    word(ph + 32, size); // p_filesz
    word(ph + 40, size); // p_memsz
    word(ph + 48, 0x1000); // p_align
  } else {
    word(ph + 4, 0); // p_offset
    word(ph + 8, LOAD_ADDRESS);
    word(ph + 12, LOAD_ADDRESS);
    word(ph + 16, size);
    word(ph + 20, size);
    file.writeUInt32LE(5, ph + 24); // p_flags R+X
    word(ph + 28, 0x1000);
  }
  file.set(code, ehsize + phentsize);
  return file;
}

export interface HostExecVerdict {
  arch: GuestArch;
  runs: boolean;
  /** What the probe saw, e.g. "a static i386 program ran (exit 42)" or why it did not run. */
  detail: string;
  /** True when read from the verdict file rather than probed now. */
  cached: boolean;
}

/** The host kernel as far as a verdict depends on it: release, build, and this boot (the kernel
 *  command line, which can turn IA32 emulation off, only changes with a reboot). */
export async function hostKernelIdentity(): Promise<string> {
  const bootId = await fs.readFile("/proc/sys/kernel/random/boot_id", "utf8").then((text) => text.trim(), () => "unknown-boot");
  return `${os.release()}|${os.version()}|${bootId}`;
}

/** Why a kernel may refuse: what its command line says, when it says it. */
async function commandLineHint(): Promise<string> {
  const cmdline = await fs.readFile("/proc/cmdline", "utf8").catch(() => "");
  return /(^|\s)ia32_emulation=(0|off|n)/.test(cmdline) ? "; the kernel was booted with ia32_emulation=0" : "";
}

/** Runs the probe program once, in a private temporary directory. */
export async function probeHostExec(arch: GuestArch): Promise<Omit<HostExecVerdict, "cached">> {
  if (process.platform !== "linux") return { arch, runs: false, detail: `this host runs ${process.platform}, not Linux: only a Linux kernel runs Linux ${arch} programs` };
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "zilchboot-exec-probe-"));
  try {
    const file = path.join(dir, `probe-${arch}`);
    await fs.writeFile(file, probeProgram(arch), { mode: 0o755 });
    // Launched through no shell, but a kernel that refuses the ELF (ENOEXEC) lets libc's execvp
    // fall back to /bin/sh, which complains about the file by name: that is the Exec format error.
    const result = await execa(file, [], { reject: false, stdin: "ignore", all: true, timeout: 10_000, extendEnv: false, env: {} });
    if (result.exitCode === PROBE_STATUS) return { arch, runs: true, detail: `a static ${arch} program ran (exit ${PROBE_STATUS})` };
    const output = String(result.all ?? "");
    const how = output.includes(file) ? "Exec format error"
      : result.exitCode === undefined ? (result.code ?? (result.shortMessage ?? "did not run").split("\n")[0])
      : `exit ${result.exitCode}, not ${PROBE_STATUS}${printable(output) ? `: ${printable(output)}` : ""}`;
    return { arch, runs: false, detail: `this host's kernel does not execute ${arch} programs (a static ${arch} ELF probe: ${how})${await commandLineHint()}` };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** The first line of what the probe printed, without control or non-ASCII bytes. */
function printable(output: string): string {
  return (output.split("\n").map((line) => line.replace(/[^\x20-\x7e]/g, "").trim()).find(Boolean) ?? "").slice(0, 160);
}

interface VerdictFile {
  [key: string]: { runs: boolean; detail: string; checkedAt: string };
}

export const VERDICT_FILE = "host-exec-verdicts.json";

/** The cached verdict for this host kernel and boot, else a fresh probe (cached, both outcomes:
 *  unlike an accelerator, whether a kernel executes an ELF class does not flicker). */
export async function hostExecutes(arch: GuestArch, cacheDir: string): Promise<HostExecVerdict> {
  const file = path.join(cacheDir, VERDICT_FILE);
  const cached: VerdictFile = await fs.readFile(file, "utf8").then((text) => JSON.parse(text) as VerdictFile, () => ({}));
  const key = `${await hostKernelIdentity()}|${arch}`;
  const hit = cached[key];
  if (hit && typeof hit.runs === "boolean" && typeof hit.detail === "string") return { arch, runs: hit.runs, detail: hit.detail, cached: true };
  const fresh = await probeHostExec(arch);
  if (process.platform === "linux") {
    // Verdicts for kernels this host no longer runs are dropped, so the file stays small.
    const kept = Object.fromEntries(Object.entries(cached).filter(([k]) => k.startsWith(`${key.slice(0, key.lastIndexOf("|"))}|`)));
    kept[key] = { runs: fresh.runs, detail: fresh.detail, checkedAt: new Date().toISOString() };
    await fs.mkdir(cacheDir, { recursive: true });
    await writeJsonAtomic(file, kept);
  }
  return { ...fresh, cached: false };
}

/** The one-line refusal of `--runner native` for a stage whose programs this host cannot run. */
export function nativeArchRefusal(stage: string, verdict: HostExecVerdict): ZilchError {
  const vm = ARCH[verdict.arch].qemuBinary;
  const v86 = verdict.arch === "i386" ? ", or `--backend v86`" : "";
  return new ZilchError({
    code: "VM",
    message: `--runner native cannot build ${stage}, an ${verdict.arch} stage: ${verdict.detail}`,
    hint: `build it in the ${verdict.arch} VM instead: leave out --runner native (${vm}, installed by scripts/setup-host.sh)${v86}`,
  });
}
