// VM flags → the Session a command runs with, plus the help text they share. The same flags are
// kept (with ZILCHBOOT_* variables) to print the exact command that reproduces a failed run.
import os from "node:os";
import path from "node:path";
import { str } from "../cli-options.js";
import { ZilchError } from "../errors.js";
import { createHostSession } from "../host-session.js";
import type { Progress } from "../progress.js";
import type { ChainHooks } from "../stages/chain.js";
import type { Reproduction, Session } from "../stages/session.js";
import { recipesDir } from "../paths.js";
import { stageCacheFromFlags } from "./cache-flags.js";
import type { CommandContext } from "./context.js";
import { vmFlagValues } from "./vm-values.js";

/** The VM flags' help, one entry each (continuation lines are indented by vmHelp). */
const VM_FLAGS: Array<[flag: string, text: string]> = [
  ["--seed FILE", "use this static x86_64 tcc as the seed instead of building one"],
  ["--kernel FILE", "boot this kernel (vmlinux) for x86_64 stages instead of building one"],
  ["--accel NAME", "force an accelerator: kvm, hvf, whpx or tcg (default: probe, fall back to tcg)"],
  ["--qemu BIN", "qemu-system-x86_64 binary to use (default: the one on PATH)"],
  ["--cpus N", `guest vCPUs (default: host cores, ${os.availableParallelism()} here)`],
  ["--memory MIB", "guest memory, 64 or more (default: the stage's memoryMiB)"],
  ["--timeout SEC", "kill the VM after SEC seconds (default: the stage's timeoutSeconds)"],
  ["--backend NAME", "qemu, v86 (32-bit guests only, no QEMU needed) or auto (default: auto, which\nis QEMU when installed, else v86 for stages marked \"small\")"],
  ["--runner NAME", "qemu: the --backend VM (default), or native: Linux namespaces + chroot, no VM\n(weaker isolation)"],
  ["--transport NAME", "how QEMU guests get their shares: virtio-9p (QEMU's -fsdev), serial (our 9p\nserver over virtio-serial ports: unix sockets, TCP 127.0.0.1 on Windows),\nserial-tcp (TCP 127.0.0.1 anywhere) or auto (default: auto, which is virtio-9p\nwhen QEMU has it)"],
  ["--share-fs MODE", "how shares are stored on the host: host (directories), memory (names, modes\nand symlinks kept by our 9p server: exact on any host file system), foreign\n(memory over a simulated NTFS-like file system, for tests) or auto (default:\n$ZILCHBOOT_SHARE_FS, else auto: memory on Windows and macOS where the backend\nserves the shares, else host); memory and foreign: QEMU (over virtio-serial)\nor v86, not --runner native"],
  ["--mirror DIR|URL", "extra download source, flat, keyed by file name (repeatable)"],
  ["--verbose", "show the console live and tool details"],
];

/** The VM options block every VM command shows; `overrides` replaces a flag's text for one
 *  command (shell's --timeout default) or drops it (null). */
export function vmHelp(overrides: Record<string, string | null> = {}): string {
  const lines = VM_FLAGS.flatMap(([flag, text]) => {
    const shown = Object.hasOwn(overrides, flag) ? overrides[flag] : text;
    return shown === null || shown === undefined ? [] : [`  ${flag.padEnd(16)} ${shown.split("\n").join(`\n${" ".repeat(19)}`)}`];
  });
  return `VM options:
${lines.join("\n")}
Kernels, seeds and sources are provided only for stages that are built; a cached chain needs none.
environment:
  ZILCHBOOT_STORE  how new store entries keep their output: tree (a directory), archive (its
                   canonical tar, exact on any host file system; its dependants run with
                   --share-fs memory) or auto (default: archive on Windows and macOS, else tree)
  ZILCHBOOT_SHARE_FS  the --share-fs default
  ZILCHBOOT_HOME, ZILCHBOOT_RECIPES, ZILCHBOOT_IMAGES, ZILCHBOOT_DOWNLOADS  move the store and
                   logs, the recipes, the kernels and seeds, and the download cache (old name of
                   the last: ZILCHBOOT_CACHE)`;
}

export const VM_HELP = vmHelp();

/** Variables that move recipes, store or caches: a reproducing command must carry them. */
const PLACE_VARIABLES = ["ZILCHBOOT_HOME", "ZILCHBOOT_RECIPES", "ZILCHBOOT_IMAGES", "ZILCHBOOT_DOWNLOADS", "ZILCHBOOT_CACHE", "ZILCHBOOT_SEABIOS_DIR"];
/** Variables that change how a stage runs without moving anything, kept as they are. */
const MODE_VARIABLES = ["ZILCHBOOT_SHARE_FS", "ZILCHBOOT_STORE"];

/** The flags (values resolved to absolute paths) and variables that shape a stage's run. */
export function reproduction(ctx: Pick<CommandContext, "options">, env: NodeJS.ProcessEnv = process.env): Reproduction {
  const flags: string[] = [];
  for (const name of ["memory", "timeout", "accel", "backend", "transport", "share-fs"]) {
    const value = str(ctx, name);
    if (value !== undefined) flags.push(`--${name}`, value);
  }
  for (const name of ["kernel", "seed", "qemu"]) {
    const value = str(ctx, name);
    // A bare binary name (--qemu qemu-system-x86_64) is looked up on PATH: keep it as given.
    if (value !== undefined) flags.push(`--${name}`, name === "qemu" && !value.includes(path.sep) ? value : path.resolve(value));
  }
  for (const mirror of (ctx.options.mirror as string[] | undefined) ?? []) flags.push("--mirror", mirror);
  const vars = Object.fromEntries([
    ...PLACE_VARIABLES.filter((name) => env[name]).map((name) => [name, path.resolve(env[name]!)]),
    ...MODE_VARIABLES.filter((name) => env[name]).map((name) => [name, env[name]!]),
  ]);
  return { env: vars, flags, native: str(ctx, "runner") === "native" };
}

/** The session for build, verify, shell and ddc; progress (if any) gets the live console lines. */
export async function sessionFromFlags(ctx: CommandContext, progress?: Progress, opts: { cache?: boolean } = {}): Promise<Session> {
  const values = vmFlagValues(ctx);
  const runner = str(ctx, "runner") ?? "qemu";
  if (runner !== "qemu" && runner !== "native") throw new ZilchError({ code: "USAGE", message: `--runner must be qemu or native, got ${JSON.stringify(runner)}`, hint: "native (Linux only) is weaker isolation than the VM" });
  if (runner === "native") ctx.log("runner: native (namespaces + chroot on the host kernel): weaker isolation than the VM");
  const backend = str(ctx, "backend") === undefined ? undefined : (await import("../vm/select.js")).parseBackend(str(ctx, "backend"));
  const transport = str(ctx, "transport") === undefined ? undefined : (await import("../vm/share-transport.js")).parseTransport(str(ctx, "transport"));
  const shareFs = await shareFsFromFlags(ctx);
  const store = (await import("../store/store-mode.js")).storeFromEnv();
  // build and verify use the shared cache (--cache, ZILCHBOOT_CACHE_URL); shell and ddc do not.
  const cache = opts.cache ? await stageCacheFromFlags(ctx, recipesDir(), progress) : null;
  return createHostSession({
    cache,
    seedFile: values.seed,
    kernelFile: values.kernel,
    runner,
    backend,
    accel: values.accel,
    qemu: str(ctx, "qemu"),
    transport,
    vm: { cpus: values.cpus, memoryMiB: values.memoryMiB, timeoutMs: values.timeoutMs },
    mirrors: (ctx.options.mirror as string[] | undefined) ?? [],
    progress: ctx.tty,
    verbose: ctx.verbose,
    log: progress ? progress.around(ctx.log) : ctx.log,
    onConsoleLine: ctx.verbose ? (line) => ctx.log(`  | ${line}`) : (line) => progress?.consoleLine(line),
    signal: ctx.signal,
    reproduce: reproduction(ctx),
    shareFs,
    store,
  });
}

/** --share-fs, else ZILCHBOOT_SHARE_FS, else auto (undefined). */
async function shareFsFromFlags(ctx: CommandContext, env: NodeJS.ProcessEnv = process.env) {
  const flag = str(ctx, "share-fs");
  const value = flag ?? env.ZILCHBOOT_SHARE_FS;
  if (value === undefined || value === "") return undefined;
  const { parseShareFs } = await import("../stages/share-fs-mode.js");
  return parseShareFs(value, flag === undefined ? "ZILCHBOOT_SHARE_FS" : "--share-fs");
}

/** Chain hooks that feed the live line, the summary table and the --json report (with what the
 *  session's shared cache did for each stage). */
export function progressHooks(progress: Progress, session?: Session): ChainHooks {
  return {
    onStageStart: (name) => progress.start(name),
    onStageDone: (name, report, seconds) => progress.done(name, report, seconds, session?.cache?.outcomes.get(name)),
    onStageSkipped: (name, reason) => progress.skipped(name, reason),
  };
}

/** The error part of a --json report. */
export function errorReport(error: unknown): { code: string; message: string; hint?: string } {
  const e = error as { code?: unknown; message?: unknown; hint?: unknown };
  return { code: typeof e.code === "string" ? e.code : "INTERNAL", message: String(e.message ?? error), ...(typeof e.hint === "string" ? { hint: e.hint } : {}) };
}
