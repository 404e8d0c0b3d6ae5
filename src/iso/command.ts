// `zilchboot boot-iso FILE.iso`: flags → validated machine → bootIso → one line on how it ended.
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import { positiveInt, str } from "../cli-options.js";
import type { Command, CommandContext } from "../commands/context.js";
import { ZilchError } from "../errors.js";
import { cacheDir, workDir } from "../paths.js";
import { provideKernel } from "../provision.js";
import { accelVariants } from "../vm/accel-host.js";
import { QemuBackend, hostCpus } from "../vm/qemu.js";
import { accelFlag, checkMemory, fileFlag } from "../commands/vm-values.js";
import { bootIso, type IsoBootResult } from "./boot-iso.js";
import { ESCAPE_HELP } from "../console/escape-keys.js";
import { windowDisplay } from "./display.js";
import { inspectIso } from "./iso-file.js";
import { isoQemuArgs } from "./iso-args.js";

const DEFAULT_MEMORY_MIB = 2048;
/** A scripted wait (--until) must end even when the text never comes. */
const DEFAULT_UNTIL_TIMEOUT_S = 300;

function memoryFlag(ctx: CommandContext): number {
  if (ctx.options.memory !== undefined) return checkMemory(positiveInt(ctx, "memory", 1, 1024));
  return Math.min(DEFAULT_MEMORY_MIB, Math.floor(os.totalmem() / 2 ** 20 / 2));
}

function untilFlag(ctx: CommandContext): string | undefined {
  const until = str(ctx, "until");
  if (until === "") throw new ZilchError({ code: "USAGE", message: "--until expects a non-empty text", hint: 'e.g. --until "login:"' });
  return until;
}

/** Fails early, in one line, when the QEMU binary is missing or broken. */
async function checkQemu(qemu: string): Promise<void> {
  const version = await execa(qemu, ["--version"], { reject: false });
  if (!version.failed) return;
  const why = version.code === "ENOENT" ? "not found" : (version.shortMessage ?? "").split("\n")[0];
  throw new ZilchError({ code: "HOST", message: `QEMU binary ${qemu}: ${why}`, hint: "install QEMU (scripts/setup-host.sh) or pass --qemu BIN" });
}

/** The accelerator: forced, or the cached/probed verdict (the probe boots the guest kernel); a
 *  forced `whpx` is probed too, for the variant that works here. */
async function accelerator(ctx: CommandContext, qemu: string, forced: string | undefined): Promise<string> {
  if (forced && accelVariants(forced).length === 1) return forced;
  const kernel = await provideKernel(str(ctx, "kernel"), { mirrors: [], progress: ctx.tty, log: ctx.log, verbose: ctx.verbose, jobs: hostCpus() });
  return new QemuBackend({ binary: qemu, accel: forced, probeKernel: kernel.path, cacheDir: cacheDir(), log: ctx.log }).accelerator();
}

function defaultLog(iso: string): string {
  const name = path.basename(iso).replace(/\.iso$/i, "").replace(/[^A-Za-z0-9._-]+/g, "_");
  return path.join(workDir(), "logs", `boot-iso-${name}.log`);
}

function seconds(ms: number | null): string {
  return ms === null ? "?" : `${(ms / 1000).toFixed(1)} s`;
}

/** Turns how the run ended into a final line or a ZilchError. */
function report(ctx: CommandContext, result: IsoBootResult, until: string | undefined, timeoutS: number | undefined, logFile: string): void {
  const { end } = result;
  const tail = result.consoleTail.slice(-5).map((line) => `  | ${line}`);
  const lastLine = result.consoleTail.at(-1);
  const context = `${lastLine ? ` (last console line: ${JSON.stringify(lastLine)})` : " (no console output)"}; log: ${logFile}`;
  switch (end.kind) {
    case "until":
      ctx.log(`boot-iso: ${JSON.stringify(until)} appeared after ${seconds(end.ms)} (QEMU start → text; first console output after ${seconds(result.firstOutputMs)}); log: ${logFile}`);
      return;
    case "quit":
      ctx.log(`boot-iso: quit after ${seconds(result.durationMs)}; log: ${logFile}`);
      return;
    case "output-closed":
      ctx.log(`boot-iso: stdout was closed after ${seconds(result.durationMs)}, so the VM was stopped; log: ${logFile}`);
      return;
    case "guest-stopped":
      if (until) {
        throw new ZilchError({ code: "VM", message: `the guest powered off or rebooted after ${seconds(result.durationMs)} without printing ${JSON.stringify(until)}${context}`, hint: "check the text and the log", details: tail });
      }
      ctx.log(`boot-iso: the guest powered off or rebooted after ${seconds(result.durationMs)}; log: ${logFile}`);
      return;
    case "timeout":
      throw new ZilchError({
        code: "VM",
        message: until ? `${JSON.stringify(until)} did not appear within ${timeoutS} s${context}` : `stopped the VM after --timeout ${timeoutS} s${context}`,
        hint: "pass a longer --timeout if the guest is merely slow",
        details: tail,
      });
    case "cancelled":
      throw new ZilchError({ code: "VM", message: `interrupted after ${seconds(result.durationMs)}; log: ${logFile}` });
    case "qemu-error":
      throw new ZilchError({ code: "VM", message: `QEMU failed: ${end.detail}`, hint: "rerun with --verbose to see QEMU's command line and messages", details: tail });
  }
}

// Summary, usage and flags live in the command table (src/commands/index.ts).
export const bootIsoCommand: Command = {
  help: `Boots FILE (an ISO 9660 image with a BIOS El Torito entry, attached read-only) as a CD in a PC
(SeaBIOS) under QEMU with the probed accelerator, its first serial port passed through to this
terminal. On a TTY keys go to the guest raw: ${ESCAPE_HELP}.
Off a TTY the console is streamed to stdout and stdin is forwarded. A guest power-off or reboot ends the run.
  --memory MIB     guest memory (default ${DEFAULT_MEMORY_MIB}, at most half of the host's)
  --cpus N         guest vCPUs (default: host cores, ${hostCpus()} here)
  --accel NAME     force an accelerator (kvm, hvf, whpx, tcg); default: probe, fall back to tcg
  --qemu BIN       qemu-system-x86_64 binary to use
  --display        also show the screen in a window (needs a desktop session and QEMU's gtk/sdl/cocoa UI)
  --net            give the guest a NIC on QEMU's user-mode NAT; without it the guest has no network device
  --until TEXT     exit 0 as soon as the console prints TEXT (default timeout then ${DEFAULT_UNTIL_TIMEOUT_S} s)
  --timeout SEC    stop the VM after SEC seconds and fail
  --log FILE       console log as plain text (default ${path.join(workDir(), "logs", "boot-iso-NAME.log")})
  --kernel FILE    guest kernel for the accelerator probe (default: the cached build)
  --verbose        print QEMU's command line and its messages`,
  async run(ctx) {
    if (ctx.positionals.length !== 1) {
      throw new ZilchError({ code: "USAGE", message: `boot-iso takes one ISO file, got ${ctx.positionals.length}`, hint: "run 'zilchboot boot-iso FILE.iso'" });
    }
    const iso = path.resolve(ctx.positionals[0]);
    const qemu = str(ctx, "qemu") ?? "qemu-system-x86_64";
    const memoryMiB = memoryFlag(ctx);
    const cpus = positiveInt(ctx, "cpus", hostCpus());
    const until = untilFlag(ctx);
    const timeoutS = ctx.options.timeout === undefined ? (until ? DEFAULT_UNTIL_TIMEOUT_S : undefined) : positiveInt(ctx, "timeout", 1, 600);
    const forcedAccel = accelFlag(ctx);
    fileFlag(ctx, "kernel", "a guest kernel (vmlinux from 'zilchboot kernel')");
    const info = await inspectIso(iso);
    await checkQemu(qemu);
    const display = ctx.options.display === true ? await windowDisplay(qemu) : null;
    const accel = await accelerator(ctx, qemu, forcedAccel);
    const logFile = path.resolve(str(ctx, "log") ?? defaultLog(iso));
    const args = isoQemuArgs({ iso, accel, memoryMiB, cpus, display, net: ctx.options.net === true });
    if (ctx.verbose) ctx.log(`boot-iso: ${qemu} ${args.join(" ")}`);
    const interactive = process.stdin.isTTY === true;
    ctx.log(`boot-iso: ${iso} (${(info.bytes / 2 ** 20).toFixed(1)} MiB${info.volumeId ? `, volume ${JSON.stringify(info.volumeId)}` : ""}) with ${accel}, ${memoryMiB} MiB, ${cpus} vCPU${cpus === 1 ? "" : "s"}, ${ctx.options.net === true ? "user-mode network" : "no network"}${display ? `, window (${display})` : ""}; log: ${logFile}`);
    if (interactive) ctx.log(`boot-iso: serial console follows; ${ESCAPE_HELP}`);
    const result = await bootIso({
      qemu,
      args,
      logFile,
      timeoutMs: timeoutS === undefined ? undefined : timeoutS * 1000,
      until,
      input: process.stdin,
      output: process.stdout,
      log: ctx.log,
      display: display !== null,
      signal: ctx.signal,
    });
    if (ctx.verbose && result.stderr.trim()) ctx.log(result.stderr.trimEnd());
    // The console rarely ends with a newline: start tool messages on a fresh line.
    if (result.firstOutputMs !== null && interactive) ctx.log("");
    report(ctx, result, until, timeoutS, logFile);
  },
};
