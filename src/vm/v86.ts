// v86 backend: a 32-bit x86 PC emulated in WebAssembly inside this Node process. No QEMU, no
// admin rights, any OS Node runs on; ~3× slower than QEMU's TCG and no long mode (i386 guests only).
// The guest sees what it sees under QEMU: root = 9p tag `rootfs` (read-only), /out = 9p tag `out`
// (writable), the serial console, and the exit port 0xf4; no NIC is configured.
import { existsSync } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ZilchError } from "../errors.js";
import type { BootSpec, ProbeResult, VmBackend, VmOutcome, VmRun } from "./backend.js";
import { ConsoleLog } from "./console-log.js";
import { HostShare } from "./p9/host-share.js";
import { DEBUG_EXIT_PORT, GuestReport, statusFromExitByte } from "./guest-protocol.js";
import { addShareDevice, emulatorCpu, guardCpuLoop, handle9p, hookPortWrite, hookReset } from "./v86-internals.js";
import { describeKernel, findFirmware, firmwareCandidates, kernelProblem, v86Options, type Firmware } from "./v86-options.js";

/** v86's own 9p device carries this tag; the root is mounted from it. */
const V86_TAG = "host9p";

interface V86Emulator {
  add_listener(event: string, listener: (value: never) => void): void;
  run(): Promise<void>;
  destroy(): Promise<void>;
}

/** The v86 build directory (wasm beside the module). */
async function v86Build(): Promise<{ wasm: string; V86: new (options: object) => V86Emulator }> {
  const mod = (await import("v86")) as unknown as { V86: new (options: object) => V86Emulator };
  const wasm = path.join(path.dirname(fileURLToPath(import.meta.resolve("v86"))), "v86.wasm");
  return { wasm, V86: mod.V86 };
}

export function locateFirmware(candidates = firmwareCandidates(process.platform, process.env)): Firmware {
  const found = findFirmware(candidates, existsSync);
  if (!found) {
    throw new ZilchError({
      code: "HOST",
      message: `v86 needs SeaBIOS (bios.bin and vgabios-stdvga.bin) and none was found in ${candidates.map((c) => path.dirname(c.bios)).join(", ")}`,
      hint: "install Debian's `seabios` package (scripts/setup-host.sh does), or point ZILCHBOOT_SEABIOS_DIR at a folder holding both files",
    });
  }
  return found;
}

/** Fails with one clear line unless v86 can boot this kernel (a 32-bit bzImage). */
export async function checkV86Kernel(kernel: string): Promise<void> {
  const handle = await fs.open(kernel, "r");
  const head = new Uint8Array(0x240);
  try {
    await handle.read(head, 0, head.length, 0);
  } finally {
    await handle.close();
  }
  const problem = kernelProblem(describeKernel(head), kernel);
  if (problem) throw new ZilchError({ code: "VM", message: problem, hint: "v86 runs i386 stages only: use --arch i386 with its bzImage, or --backend qemu" });
}

export interface V86BackendOptions {
  /** Where to look for SeaBIOS (default: firmwareCandidates for this host). */
  firmware?: Firmware[];
}

export class V86Backend implements VmBackend {
  readonly name = "v86";
  readonly maxCpus = 1;
  readonly servesShareTrees = true;

  constructor(private readonly opts: V86BackendOptions = {}) {}

  async probe(): Promise<ProbeResult> {
    try {
      const firmware = locateFirmware(this.opts.firmware);
      const { wasm } = await v86Build();
      await fs.access(wasm);
      return { usable: true, detail: `v86 (wasm, 32-bit x86), SeaBIOS ${path.dirname(firmware.bios)}` };
    } catch (err) {
      return { usable: false, detail: (err as Error).message };
    }
  }

  async boot(spec: BootSpec, signal?: AbortSignal): Promise<VmRun> {
    const firmware = locateFirmware(this.opts.firmware);
    await checkV86Kernel(spec.kernel);
    const { wasm, V86 } = await v86Build();
    const [bios, vgaBios, bzimage] = await Promise.all([firmware.bios, firmware.vgaBios, spec.kernel].map(async (file) => {
      const bytes = await fs.readFile(file);
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    }));
    const root = new HostShare(spec.rootTree ?? spec.rootDir, true);
    const outShare = spec.outTree ?? spec.outDir;
    const out = outShare ? new HostShare(outShare, false) : undefined;
    const started = performance.now();
    let firstOutputMs: number | null = null;
    const report = new GuestReport(started);
    const consoleLog = new ConsoleLog(spec.consoleLog, (line) => {
      report.observe(line);
      spec.onConsoleLine?.(line);
    });
    // The byte written to the exit port: decoded once the console is flushed, since a status of 126
    // or more is read from the guest's last console line.
    let exitByte: number | null = null;

    const options = { ...v86Options(spec, { bios, vgaBios, bzimage }, wasm, V86_TAG), filesystem: { handle9p: handle9p(root) } };
    const emulator = new V86(options);
    let finish!: (outcome: VmOutcome) => void;
    let finished = false;
    const ended = new Promise<VmOutcome>((resolve) => (finish = (outcome) => {
      finished = true;
      resolve(outcome);
    }));
    emulator.add_listener("serial0-output-byte", (byte: number) => {
      // The emulator may run a moment after the outcome is decided: that output belongs to nobody.
      if (finished) return;
      firstOutputMs ??= Math.round(performance.now() - started);
      consoleLog.write(Uint8Array.of(byte));
    });
    emulator.add_listener("emulator-loaded", () => {
      try {
        const cpu = emulatorCpu(emulator);
        if (out) addShareDevice(cpu, "out", out);
        hookPortWrite(cpu, DEBUG_EXIT_PORT, (value) => {
          exitByte = value;
          // Exact below 126; refined below with the console line once the console is flushed.
          finish(statusFromExitByte(value, null));
        });
        hookReset(cpu, () => finish({ kind: "no-status", detail: "the guest rebooted without reporting a status (PID 1 died or the kernel panicked)" }));
        guardCpuLoop(cpu, () => finished);
        void emulator.run();
      } catch (err) {
        finish({ kind: "backend-error", detail: (err as Error).message });
      }
    });
    const timer = setTimeout(() => finish({ kind: "timeout" }), spec.timeoutMs);
    const onAbort = () => finish({ kind: "backend-error", detail: "cancelled" });
    signal?.addEventListener("abort", onAbort, { once: true });
    let outcome: VmOutcome;
    try {
      outcome = await ended;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      // destroy() stops the CPU loop and frees the wasm memory: nothing of the guest outlives the run.
      await emulator.destroy().catch(() => undefined);
      await Promise.all([root.close(), out?.close(), consoleLog.close()]);
    }
    if (exitByte !== null && outcome.kind === "status") outcome = statusFromExitByte(exitByte, report.reportedStatus);
    const durationMs = Math.round(performance.now() - started);
    return { outcome, firstOutputMs, initOutputMs: report.initOutputMs, durationMs, consoleTail: consoleLog.tail(), engine: "v86 (wasm)" };
  }
}
