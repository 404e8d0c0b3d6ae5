// QEMU backend: one hermetic guest per boot, console captured, exit status decoded.
import os from "node:os";
import { execa } from "execa";
import type { GuestArch } from "../arch.js";
import { ZilchError } from "../errors.js";
import { chooseAccelerator, acceleratorCandidates, TCG } from "./accel.js";
import { accelVariants, type AccelHost } from "./accel-host.js";
import type { BootSpec, ProbeResult, VmBackend, VmOutcome, VmRun } from "./backend.js";
import { ConsoleLog } from "./console-log.js";
import { GuestReport, interpretQemuExit } from "./guest-protocol.js";
import { realiseMappedOutput } from "./p9/mapped-output.js";
import { qemuArgs, qemuBinaryFor } from "./qemu-args.js";
import { openControlChannel, type ControlChannel } from "./qemu-control.js";

export interface QemuOptions {
  /** The guest arch: picks qemu-system-x86_64 (default) or qemu-system-i386. */
  arch?: GuestArch;
  /** Overrides the emulator binary (tests pass wrappers). */
  binary?: string;
  /** Forced accelerator (`--accel`), skips probing, except that a bare name with variants
   *  (`whpx`) probes only those and fails rather than fall back to TCG. */
  accel?: string;
  /** Kernel used for the accelerator probe. */
  probeKernel: string;
  cacheDir: string;
  probeTimeoutMs?: number;
  /** Override the hardware candidates (tests). */
  candidates?: string[];
  /** Platform, CPU arch and codesign for the probe's pre-checks (tests play Windows or a Mac). */
  host?: AccelHost;
  log?: (line: string) => void;
}

export class QemuBackend implements VmBackend {
  readonly name = "qemu";
  private readonly binary: string;
  private chosen: string | undefined;

  constructor(private readonly opts: QemuOptions) {
    this.binary = qemuBinaryFor(opts.arch ?? "x86_64", opts.binary);
    // `--accel whpx` must boot with the variant that works here (accelVariants), so it is probed.
    this.chosen = opts.accel !== undefined && accelVariants(opts.accel).length > 1 ? undefined : opts.accel;
  }

  async probe(): Promise<ProbeResult> {
    const version = await execa(this.binary, ["--version"], { reject: false });
    if (version.failed) {
      return { usable: false, detail: `${this.binary} not runnable (${version.shortMessage})` };
    }
    if (!this.chosen) {
      const forced = this.opts.accel && accelVariants(this.opts.accel).length > 1 ? this.opts.accel : undefined;
      const candidates = forced !== undefined ? [forced] : (this.opts.candidates ?? (await acceleratorCandidates(this.opts.host?.platform)));
      const { accel, verdicts } = await chooseAccelerator({
        qemu: this.binary,
        kernel: this.opts.probeKernel,
        cacheDir: this.opts.cacheDir,
        candidates,
        probeTimeoutMs: this.opts.probeTimeoutMs ?? 8000,
        log: this.opts.log,
        host: this.opts.host,
      });
      if (forced !== undefined && accel === TCG) {
        // Forced means no silent TCG: say why every variant failed, and what to do.
        throw new ZilchError({
          code: "VM",
          message: `--accel ${forced} cannot be used here (${verdicts.map((v) => v.detail).join("; ")})`,
          hint: verdicts.find((v) => v.hint)?.hint ?? "leave --accel out to fall back to TCG",
        });
      }
      this.chosen = accel;
    }
    return { usable: true, detail: this.chosen };
  }

  /** The accelerator the next boot uses (probing first if needed). */
  async accelerator(): Promise<string> {
    if (!this.chosen) {
      const probe = await this.probe();
      if (!probe.usable) throw new ZilchError({ code: "VM", message: probe.detail, hint: "install QEMU (scripts/setup-host.sh)" });
    }
    return this.chosen ?? TCG;
  }

  async boot(spec: BootSpec, signal?: AbortSignal): Promise<VmRun> {
    const accel = await this.accelerator();
    const control: ControlChannel | null = spec.console ? await openControlChannel() : null;
    const args = qemuArgs(spec, accel, control ? { controlSocket: control.socketPath } : undefined);
    const started = performance.now();
    const report = new GuestReport(started);
    const consoleLog = new ConsoleLog(spec.consoleLog, (line) => {
      report.observe(line);
      spec.onConsoleLine?.(line);
    });
    let firstOutputMs: number | null = null;
    let timedOut = false;

    const [command, ...argv] = [...(await parentDeathWrapper()), this.binary, ...args];
    const child = execa(command, argv, {
      reject: false,
      // An interactive console types into the guest through QEMU's stdio serial port.
      stdin: spec.console ? "pipe" : "ignore",
      stdout: "pipe",
      stderr: "pipe",
      buffer: { stdout: false, stderr: true },
      cancelSignal: signal,
      killSignal: "SIGKILL",
      forceKillAfterDelay: false,
    });
    child.stdout.on("data", (chunk: Buffer) => {
      firstOutputMs ??= Math.round(performance.now() - started);
      consoleLog.write(chunk);
      spec.console?.onOutput(chunk);
    });
    if (spec.console && control) {
      // The VM may die while the user types: such writes have nowhere to go and are dropped.
      child.stdin?.on("error", () => {});
      spec.console.onAttach({
        input: (data) => {
          if (child.stdin?.writable) child.stdin.write(data);
        },
        control: (line) => control.send(line),
      });
    }
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, spec.timeoutMs);
    const onExit = () => child.kill("SIGKILL");
    process.once("exit", onExit);
    try {
      const result = await child;
      await consoleLog.close();
      const outcome = signal?.aborted
        ? ({ kind: "backend-error", detail: "cancelled" } as const)
        : interpretQemuExit(result.exitCode, timedOut, String(result.stderr ?? ""), report.reportedStatus);
      if (spec.outDir) await realiseOutput(spec.outDir, outcome);
      return {
        outcome,
        firstOutputMs,
        initOutputMs: report.initOutputMs,
        durationMs: Math.round(performance.now() - started),
        consoleTail: consoleLog.tail(),
        engine: accel,
      };
    } finally {
      clearTimeout(timer);
      process.removeListener("exit", onExit);
      await control?.close();
    }
  }
}

/** Turns the mapped-file out share (see qemuArgs) into a plain tree, whatever the outcome, so a
 *  kept failed run holds real symlinks and no setuid file either. When the guest failed, its
 *  failure is the error to report; the output is not used then. */
async function realiseOutput(outDir: string, outcome: VmOutcome): Promise<void> {
  try {
    await realiseMappedOutput(outDir);
  } catch (err) {
    if (outcome.kind === "status" && outcome.status === 0) throw err;
  }
}

let wrapper: Promise<string[]> | undefined;

/** On Linux, `setpriv --pdeathsig KILL` makes the kernel kill QEMU if we die, even by SIGKILL,
 *  which no handler of ours can catch. Without setpriv, SIGINT/SIGTERM handling still applies. */
export function parentDeathWrapper(): Promise<string[]> {
  wrapper ??= process.platform !== "linux"
    ? Promise.resolve([])
    : execa("setpriv", ["--pdeathsig", "KILL", "--", "true"], { reject: false }).then((r) => (r.exitCode === 0 ? ["setpriv", "--pdeathsig", "KILL", "--"] : []));
  return wrapper;
}

/** Host cores: the default -smp. */
export function hostCpus(): number {
  return os.availableParallelism();
}
