// The guest architectures: x86_64 (the main chain) and i386 (v86 emulates 32-bit x86 only; an
// independent i386 seed also gives the diverse double-compile of the x86_64 tcc). Everything that
// differs per architecture (kernel fragment, kernel image, QEMU binary, seed checks) is named here.
import { ZilchError } from "./errors.js";

export type GuestArch = "x86_64" | "i386";

export const GUEST_ARCHES: readonly GuestArch[] = ["x86_64", "i386"];

export const DEFAULT_ARCH: GuestArch = "x86_64";

export interface ArchFacts {
  /** Linux's ARCH= for the kernel build. x86_64 uses "x86", what make picks on an x86_64 host:
   *  there 64BIT is a visible option that tinyconfig first turns off and the fragment turns on,
   *  which leaves other defaults (FRAME_WARN, PGTABLE_LEVELS…) as the locked kernel has them;
   *  ARCH=x86_64 would force 64BIT from the start and give a different .config. */
  linuxArch: string;
  /** The kernel image the VM boots: x86_64 boots vmlinux through PVH (~0.7 s faster under TCG);
   *  PVH entry is 64-bit only in QEMU's loader, so i386 boots the bzImage. */
  bootImage: "vmlinux" | "bzImage";
  /** QEMU system emulator for this guest. */
  qemuBinary: string;
  /** ELF class (1 = 32-bit, 2 = 64-bit) and e_machine a seed must have. */
  elfClass: 1 | 2;
  elfMachine: number;
  /** Subdirectory of images/ (and of the kernel/seed caches) for this arch; "" keeps x86_64 where it always was. */
  imagesSubdir: string;
}

export const ARCH: Record<GuestArch, ArchFacts> = {
  x86_64: { linuxArch: "x86", bootImage: "vmlinux", qemuBinary: "qemu-system-x86_64", elfClass: 2, elfMachine: 62, imagesSubdir: "" },
  i386: { linuxArch: "i386", bootImage: "bzImage", qemuBinary: "qemu-system-i386", elfClass: 1, elfMachine: 3, imagesSubdir: "i386" },
};

/** Parses an --arch value (undefined → x86_64). */
export function parseArch(value: string | undefined): GuestArch {
  if (value === undefined) return DEFAULT_ARCH;
  if ((GUEST_ARCHES as readonly string[]).includes(value)) return value as GuestArch;
  throw new ZilchError({
    code: "USAGE",
    message: `--arch must be one of ${GUEST_ARCHES.join(", ")}, got ${JSON.stringify(value)}`,
    hint: "x86_64 is the main chain; i386 is for v86 and the diverse double-compile",
  });
}
