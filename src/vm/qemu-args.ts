// Pure translation of a BootSpec into QEMU's argv (the guest protocol itself: guest-protocol.ts).
import path from "node:path";
import { ARCH, type GuestArch } from "../arch.js";
import type { BootSpec } from "./backend.js";
import { DEBUG_EXIT_PORT, kernelCommandLine } from "./guest-protocol.js";
import { qemuOptionValue } from "./qemu-option.js";
import { OUT_PORT, ROOT_PORT } from "./serial/initramfs.js";
import type { SerialShareArgs } from "./serial/serial-shares.js";

/** Extra flags an accelerator needs besides `-accel`. */
export function acceleratorFlags(accel: string): string[] {
  const name = accel.split(",")[0];
  // KVM and HVF run the host CPU model; TCG emulates its default (qemu64 + what we need). WHPX
  // keeps the default too: `-cpu host` and `-cpu max` make WHPX guests fail or crash.
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

/** How the shares reach the guest: QEMU's virtio-9p devices (default), or our server over
 *  virtio-serial ports with the pre-init initramfs (serial/serial-shares.ts). */
export type ShareArgs = { transport: "virtio-9p" } | ({ transport: "serial" } & SerialShareArgs);

/** The argv is the same for both arches: `-M pc`, the same devices; i386 boots its bzImage. */
export function qemuArgs(spec: BootSpec, accel: string, interactive?: InteractiveArgs, shares: ShareArgs = { transport: "virtio-9p" }): string[] {
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
  ];
  if (shares.transport === "serial") {
    args.push(...serialShareArgs(spec, shares));
  } else {
    args.push(
      "-append", kernelCommandLine(spec),
      "-fsdev", `local,id=rootfs,path=${qemuOptionValue(path.resolve(spec.rootDir))},security_model=none,readonly=on`,
      "-device", "virtio-9p-pci,fsdev=rootfs,mount_tag=rootfs",
    );
    if (spec.outDir) {
      // mapped-file: what the guest makes of modes, owners, symlinks and special files is written to
      // `.virtfs_metadata` files, never applied on the host, where every entry is a plain file or
      // directory (0600/0700). realiseMappedOutput turns that into the output tree after the run.
      args.push(
        "-fsdev", `local,id=out,path=${qemuOptionValue(path.resolve(spec.outDir))},security_model=mapped-file`,
        "-device", "virtio-9p-pci,fsdev=out,mount_tag=out",
      );
    }
  }
  if (interactive) {
    // A second serial port (guest ttyS1) carries control lines such as window sizes, so that the
    // console itself stays a plain byte stream in both directions.
    args.push("-chardev", `socket,id=control,path=${qemuOptionValue(interactive.controlSocket)}`, "-serial", "chardev:control");
  }
  args.push("-device", `isa-debug-exit,iobase=0x${DEBUG_EXIT_PORT.toString(16)},iosize=0x04`);
  return args;
}

/** The pre-init initramfs and one virtio-serial port per share, each a socket chardev that QEMU
 *  opens as a client of our server (which listens before QEMU starts). The root's port is the
 *  root share (read-only in our server), the out port the writable one. */
function serialShareArgs(spec: BootSpec, shares: SerialShareArgs): string[] {
  const args = [
    "-initrd", path.resolve(shares.initrd),
    "-append", kernelCommandLine(spec, { serialShares: shares.out ? "root,out" : "root", ...(shares.direct ? { direct: true } : {}) }),
    "-device", "virtio-serial-pci,id=zbserial",
  ];
  const port = (id: string, chardev: string, name: string) =>
    args.push("-chardev", `socket,id=${id},${chardev}`, "-device", `virtserialport,bus=zbserial.0,chardev=${id},name=${name}`);
  port("zbroot", shares.root, ROOT_PORT);
  if (shares.out) port("zbout", shares.out, OUT_PORT);
  return args;
}
