// Pure translation of a BootSpec into QEMU's argv, and of QEMU's exit into a guest outcome.
import path from "node:path";
import { ARCH, type GuestArch } from "../arch.js";
import { ZilchError } from "../errors.js";
import type { BootSpec, VmOutcome } from "./backend.js";
import { qemuOptionValue } from "./qemu-option.js";

/** The guest writes status+1 to this port; QEMU then exits with ((status+1) << 1) | 1. */
export const DEBUG_EXIT_PORT = 0xf4;

// Linux hands at most 32 argv entries to init and reads at most 2048 bytes of command line.
const MAX_INIT_ARGS = 31;
const MAX_CMDLINE = 2048;

/** `rootTag`: the 9p tag of the root share (QEMU: ours, `rootfs`; v86: its own device's `host9p`). */
export function kernelCommandLine(spec: Pick<BootSpec, "init" | "initArgs" | "outDir">, rootTag = "rootfs"): string {
  for (const arg of spec.initArgs) {
    if (arg === "" || /["\s]/.test(arg)) {
      throw new ZilchError({
        code: "VM",
        message: `init argument ${JSON.stringify(arg)} cannot travel on the kernel command line`,
        hint: "use arguments without spaces or quotes (put longer data in a file of the stage)",
      });
    }
  }
  if (spec.initArgs.length > MAX_INIT_ARGS) {
    throw new ZilchError({
      code: "VM",
      message: `${spec.initArgs.length} init arguments, the kernel passes at most ${MAX_INIT_ARGS}`,
      hint: "pass fewer arguments",
    });
  }
  const words = [
    "console=ttyS0",
    // ACPI is on for SMP; its PCI interrupt-link evaluation is slow under TCG, the PIRQ table is not.
    "pci=noacpi",
    `root=${rootTag}`,
    "rootfstype=9p",
    // The root never changes during a run, so the guest may cache it fully (cache=loose: stats
    // ~100× cheaper than uncached 9p); msize 512000 makes bulk reads ~40× faster than 8 KiB.
    "rootflags=trans=virtio,version=9p2000.L,msize=512000,cache=loose",
    "ro",
    `init=${spec.init}`,
    "panic=-1",
    "--",
    ...spec.initArgs,
  ];
  const line = words.join(" ");
  if (line.length >= MAX_CMDLINE) {
    throw new ZilchError({ code: "VM", message: `kernel command line is ${line.length} bytes, limit ${MAX_CMDLINE}`, hint: "shorten the init arguments" });
  }
  return line;
}

/** Extra flags an accelerator needs besides `-accel`. */
export function acceleratorFlags(accel: string): string[] {
  const name = accel.split(",")[0];
  // Hardware accelerators run the host CPU model; TCG emulates its default (qemu64 + what we need).
  return name === "kvm" || name === "hvf" ? ["-accel", accel, "-cpu", "host"] : ["-accel", accel];
}

/** The emulator for a guest arch (qemu-system-x86_64, qemu-system-i386) unless one is forced. */
export function qemuBinaryFor(arch: GuestArch, override?: string): string {
  return override ?? ARCH[arch].qemuBinary;
}

/** Host side of the guest's control port (ttyS1) in interactive sessions: QEMU connects to this
 *  Unix socket, which we listen on. */
export interface InteractiveArgs {
  controlSocket: string;
}

/** The argv is the same for both arches: `-M pc`, the same devices; i386 boots its bzImage. */
export function qemuArgs(spec: BootSpec, accel: string, interactive?: InteractiveArgs): string[] {
  const args = [
    ...acceleratorFlags(accel),
    "-M", "pc",
    "-m", String(spec.memoryMiB),
    "-smp", String(spec.cpus),
    // No default devices: in particular no NIC, no VGA, no monitor. The serial port is the only channel.
    "-nodefaults", "-no-user-config", "-nic", "none",
    "-display", "none",
    "-serial", "stdio",
    "-no-reboot",
    "-kernel", path.resolve(spec.kernel),
    "-append", kernelCommandLine(spec),
    "-fsdev", `local,id=rootfs,path=${qemuOptionValue(path.resolve(spec.rootDir))},security_model=none,readonly=on`,
    "-device", "virtio-9p-pci,fsdev=rootfs,mount_tag=rootfs",
  ];
  if (spec.outDir) {
    // mapped-file: what the guest makes of modes, owners, symlinks and special files is written to
    // `.virtfs_metadata` files, never applied on the host, where every entry is a plain file or
    // directory (0600/0700). realiseMappedOutput turns that into the output tree after the run.
    args.push(
      "-fsdev", `local,id=out,path=${qemuOptionValue(path.resolve(spec.outDir))},security_model=mapped-file`,
      "-device", "virtio-9p-pci,fsdev=out,mount_tag=out",
    );
  }
  if (interactive) {
    // A second serial port (guest ttyS1) carries control lines such as window sizes, so that the
    // console itself stays a plain byte stream in both directions.
    args.push("-chardev", `socket,id=control,path=${qemuOptionValue(interactive.controlSocket)}`, "-serial", "chardev:control");
  }
  args.push("-device", `isa-debug-exit,iobase=0x${DEBUG_EXIT_PORT.toString(16)},iosize=0x04`);
  return args;
}

/** What QEMU's exit code says about the guest. */
export function interpretQemuExit(exitCode: number | undefined, timedOut: boolean, stderr: string): VmOutcome {
  if (timedOut) return { kind: "timeout" };
  if (exitCode !== undefined && exitCode >= 3 && exitCode % 2 === 1) {
    return { kind: "status", status: (exitCode - 3) / 2 };
  }
  if (exitCode === 0) {
    return { kind: "no-status", detail: "the guest stopped without reporting a status (PID 1 died or the kernel panicked)" };
  }
  const firstLine = stderr.trim().split("\n")[0] ?? "";
  return { kind: "backend-error", detail: `qemu exited ${exitCode ?? "by signal"}${firstLine ? `: ${firstLine}` : ""}` };
}
