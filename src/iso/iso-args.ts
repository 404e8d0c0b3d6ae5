// Pure translation of `boot-iso` options into QEMU's argv: a plain PC booting from a read-only CD.
import path from "node:path";
import { acceleratorFlags } from "../vm/qemu-args.js";
import { qemuOptionValue } from "../vm/qemu-option.js";

export interface IsoMachine {
  iso: string;
  /** e.g. "tcg,thread=multi" or "kvm". */
  accel: string;
  memoryMiB: number;
  cpus: number;
  /** QEMU display backend for a window ("gtk", "sdl", "cocoa"), or null for none (serial only). */
  display: string | null;
  /** A user-mode (NAT) NIC; without it the guest has no network device at all. */
  net: boolean;
}

export function isoQemuArgs(machine: IsoMachine): string[] {
  return [
    ...acceleratorFlags(machine.accel),
    "-M", "pc",
    "-m", String(machine.memoryMiB),
    "-smp", String(machine.cpus),
    // -nodefaults drops QEMU's implicit monitor, serial, NIC and CD drive so that every device is
    // listed here. A VGA card stays with or without a window: the guest sees the same PC either way.
    "-nodefaults", "-no-user-config",
    "-vga", "std",
    "-display", machine.display ?? "none",
    // The first serial port is the console we pass through; stdin/stdout are pipes we own.
    "-serial", "stdio",
    ...(machine.net ? ["-nic", "user,model=e1000"] : ["-nic", "none"]),
    // A guest reboot ends the run instead of booting the CD again (installers reboot when done).
    "-no-reboot",
    // The image is never written: the CD drive is read-only and the file is opened read-only.
    "-drive", `file=${qemuOptionValue(path.resolve(machine.iso))},media=cdrom,readonly=on,format=raw,if=ide,index=2`,
    "-boot", "order=d",
  ];
}
