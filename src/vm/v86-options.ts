// Pure parts of the v86 backend: where SeaBIOS lives, which kernels v86 can boot, the emulator's
// options for a BootSpec.
import path from "node:path";
import type { BootSpec } from "./backend.js";
import { kernelCommandLine } from "./guest-protocol.js";

export interface Firmware {
  bios: string;
  vgaBios: string;
}

/** SeaBIOS as distributions install it (v86 ships no BIOS). First complete pair wins. */
export function firmwareCandidates(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): Firmware[] {
  const dirs = [
    ...(env.ZILCHBOOT_SEABIOS_DIR ? [env.ZILCHBOOT_SEABIOS_DIR] : []),
    "/usr/share/seabios", // Debian/Ubuntu `seabios`
    "/usr/share/qemu", // Fedora, Arch, Alpine ship SeaBIOS with QEMU
    "/opt/homebrew/share/qemu",
    "/usr/local/share/qemu",
    ...(platform === "win32" ? [path.join(env.ProgramFiles ?? "C:\\Program Files", "qemu", "share")] : []),
  ];
  return dirs.map((dir) => ({ bios: path.join(dir, "bios.bin"), vgaBios: path.join(dir, "vgabios-stdvga.bin") }));
}

export function findFirmware(candidates: Firmware[], exists: (file: string) => boolean): Firmware | undefined {
  return candidates.find((fw) => exists(fw.bios) && exists(fw.vgaBios));
}

export type KernelKind =
  | { format: "bzImage"; x86_64: boolean }
  | { format: "elf"; x86_64: boolean }
  | { format: "unknown" };

/** What a kernel file is, from its first bytes: v86 boots only 32-bit bzImages. */
export function describeKernel(head: Uint8Array): KernelKind {
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  if (head.byteLength >= 5 && view.getUint32(0, false) === 0x7f454c46) return { format: "elf", x86_64: head[4] === 2 };
  // Linux boot protocol: "HdrS" at 0x202; xloadflags bit 0 (0x236) = has a 64-bit entry point.
  if (head.byteLength >= 0x238 && view.getUint32(0x202, true) === 0x53726448) return { format: "bzImage", x86_64: (head[0x236] & 1) === 1 };
  return { format: "unknown" };
}

/** Why v86 cannot boot this kernel, or null when it can. */
export function kernelProblem(kind: KernelKind, file: string): string | null {
  if (kind.format === "unknown") return `${file} is neither a bzImage nor an ELF kernel`;
  if (kind.x86_64) return `${file} is an x86_64 kernel; v86 emulates a 32-bit x86 only (no long mode)`;
  if (kind.format === "elf") return `${file} is an ELF vmlinux; v86 boots bzImage kernels only`;
  return null;
}

export interface V86Images {
  bios: ArrayBuffer;
  vgaBios: ArrayBuffer;
  bzimage: ArrayBuffer;
}

/** The emulator's options (the caller adds `filesystem.handle9p`). No NIC: none is configured. It
 *  starts stopped, so that our extra device exists before the BIOS scans PCI. The root comes from
 *  v86's own 9p device, whose tag is `rootTag`. */
export function v86Options(spec: BootSpec, images: V86Images, wasmPath: string, rootTag: string) {
  return {
    wasm_path: wasmPath,
    memory_size: spec.memoryMiB * 1024 * 1024,
    vga_memory_size: 2 * 1024 * 1024,
    bios: { buffer: images.bios },
    vga_bios: { buffer: images.vgaBios },
    bzimage: { buffer: images.bzimage },
    cmdline: kernelCommandLine(spec, { tag: rootTag }),
    autostart: false,
    disable_keyboard: true,
    disable_mouse: true,
    disable_speaker: true,
    fastboot: true,
    acpi: false,
  };
}
