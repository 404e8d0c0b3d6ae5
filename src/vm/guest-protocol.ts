// The host side of the host↔guest protocol, shared by every backend (QEMU, v86, native): how PID 1
// is named on the kernel command line, what our guest programs print, and how the guest's exit
// status reaches us. The guest side is vm/guest/zsys.h (zpoweroff, zmount_stage_dirs) and
// vm/guest/init.c (report_and_power_off); a change here is a change there, and relocks stage 1.
//
// Exit status: the guest prints "zilchboot-guest: exit status N", drains the console, then writes
// v = min(N, 126) + 1 to port 0xf4. QEMU's isa-debug-exit exits with (v << 1) | 1, which the host
// OS cuts to 8 bits: v = 1..127 gives 3..255, all distinct, none equal to QEMU's own failure code 1.
// So N < 126 arrives exactly through the port alone, and for N ≥ 126 the port says "126 or more"
// and the console line says which. v86 hands us v itself; the native runner has no VM and gets N
// from the process.
import { ZilchError } from "../errors.js";
import type { BootSpec, VmOutcome } from "./backend.js";

/** Lines our guest programs print start with this. */
export const GUEST_MARKER = "zilchboot-guest:";
/** The line PID 1 prints first: "PID 1 is running". */
export const INIT_RUNNING_LINE = `${GUEST_MARKER} init running`;
const STATUS_LINE = /^zilchboot-guest: exit status (-?\d+)\s*$/;

/** I/O port of QEMU's isa-debug-exit device (and of v86's hook that imitates it). */
export const DEBUG_EXIT_PORT = 0xf4;
/** The port byte that means "the status is this or more; read the console line". */
const PORT_SATURATION = 126;

// Linux hands at most 32 argv entries to init and reads at most 2048 bytes of command line.
const MAX_INIT_ARGS = 31;
const MAX_CMDLINE = 2048;

/** How the guest finds its root: a virtio-9p device's tag (QEMU: ours, `rootfs`; v86: its own
 *  device's `host9p`), or ports of 9p over virtio-serial, which the initramfs pre-init mounts
 *  (vm/preinit/preinit.c reads `zilchboot.shares`; a dotted word reaches neither init's argv nor its
 *  environment). `direct` (benchmark only, ZILCHBOOT_SERIAL_DIRECT=1) adds `zilchboot.serial=direct`:
 *  the pre-init mounts the ports without relays (scripts/bench/serial-direct.sh). */
export type GuestRoot = { tag: string } | { serialShares: "root" | "root,out"; direct?: true };

/** The kernel command line that boots PID 1 on the 9p root. */
export function kernelCommandLine(spec: Pick<BootSpec, "init" | "initArgs">, root: GuestRoot = { tag: "rootfs" }): string {
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
    // The IO-APIC timer check counts timer ticks over a short busy wait; TCG on a loaded host
    // misses them and the kernel panics ("IO-APIC + timer doesn't work!"). QEMU's timer works.
    "no_timer_check",
    ...("tag" in root ? [
      `root=${root.tag}`,
      "rootfstype=9p",
      // The root never changes during a run, so the guest may cache it fully (cache=loose: stats
      // ~100× cheaper than uncached 9p); msize 512000 makes bulk reads ~40× faster than 8 KiB.
      // The pre-init mounts the serial shares with the same options.
      "rootflags=trans=virtio,version=9p2000.L,msize=512000,cache=loose",
      "ro",
    ] : [`zilchboot.shares=${root.serialShares}`, ...(root.direct ? ["zilchboot.serial=direct"] : [])]),
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

/** What the guest writes to the exit port for `status` (the mirror of zpoweroff; for tests). */
export function exitPortByte(status: number): number {
  return (status < 0 || status > PORT_SATURATION ? PORT_SATURATION : status) + 1;
}

/** Follows a guest's console lines: when PID 1 started, and the last status it reported. */
export class GuestReport {
  initOutputMs: number | null = null;
  reportedStatus: number | null = null;

  constructor(private readonly started: number) {}

  observe(line: string): void {
    if (this.initOutputMs === null && line.startsWith(GUEST_MARKER)) this.initOutputMs = Math.round(performance.now() - this.started);
    const status = STATUS_LINE.exec(line);
    if (status) this.reportedStatus = Number(status[1]);
  }
}

/** The outcome of a byte `value` written to the exit port, given the status line seen (if any). */
export function statusFromExitByte(value: number, reportedStatus: number | null): VmOutcome {
  const byte = value & 0xff;
  if (byte === 0 || byte > PORT_SATURATION + 1) {
    return { kind: "no-status", detail: `the guest wrote ${byte} to the exit port, which our guest code never sends` };
  }
  const portStatus = byte - 1;
  if (portStatus < PORT_SATURATION) return { kind: "status", status: portStatus };
  // "126 or more": only the console line can say which. A line that contradicts the port is not
  // believed (a stage may print anything; PID 1's own line comes last).
  if (reportedStatus !== null && reportedStatus >= PORT_SATURATION && reportedStatus <= 255) return { kind: "status", status: reportedStatus };
  // The line was lost (it is drained before the port write, so this should not happen): the status
  // is a failure either way, and 126 is the least it can be.
  return { kind: "status", status: PORT_SATURATION };
}

/** What QEMU's exit code (and the console's status line) say about the guest. */
export function interpretQemuExit(exitCode: number | undefined, timedOut: boolean, stderr: string, reportedStatus: number | null = null): VmOutcome {
  if (timedOut) return { kind: "timeout" };
  if (exitCode !== undefined && exitCode >= 3 && exitCode % 2 === 1) return statusFromExitByte((exitCode - 1) / 2, reportedStatus);
  if (exitCode === 0) {
    return { kind: "no-status", detail: "the guest stopped without reporting a status (PID 1 died or the kernel panicked)" };
  }
  // QEMU prints warnings before the error that stopped it: keep them all, on one line.
  const text = stderr.trim().split("\n").map((line) => line.trim()).filter(Boolean).join(" | ");
  return { kind: "backend-error", detail: `qemu exited ${exitCode ?? "by signal"}${text ? `: ${text}` : ""}` };
}

/** Without a VM (the native runner) there is no PID 1 protocol: the words a stage's PID 1 would get
 *  become the command to run directly, with the environment PID 1 would have given it. */
export function directCommand(spec: Pick<BootSpec, "init" | "initArgs">): { env: string[]; argv: string[] } {
  const run = spec.initArgs.indexOf("-run");
  if (run >= 0) {
    // seed-tcc stage: `PROGRAM --stage ARGS` skips the program's PID 1 half (mounts, power-off).
    const argv = [spec.init, ...spec.initArgs.slice(0, run + 2), "--stage", ...spec.initArgs.slice(run + 2)];
    return { env: [], argv };
  }
  // shell stage: stage 1's init takes KEY=VALUE words, then the command (an absolute path).
  const first = spec.initArgs.findIndex((word) => word.startsWith("/"));
  return { env: spec.initArgs.slice(0, first), argv: spec.initArgs.slice(first) };
}
