// The CLI's commands: each parses its own words and calls the programmatic API.
import fs from "node:fs/promises";
import path from "node:path";
import { positiveInt, str } from "./cli-options.js";
import { parseArch, type GuestArch } from "./arch.js";
import { ZilchError } from "./errors.js";
import { cacheDir, recipesDir, workDir } from "./paths.js";
import { fetchPinned, guestDir, pinsFile, provideKernel, provideSeed, provideStageSources, type ProvisionOptions } from "./provision.js";
import { loadPins } from "./sources/pins.js";
import { planChain, stagesInOrder } from "./stages/plan.js";
import { listStagesSync, loadStage } from "./stages/recipe.js";
import { buildChain, stageTarget, type ArchTarget, type ChainOptions } from "./stages/chain.js";
import { buildStage } from "./stages/run.js";
import { DDC_STAGE, DDC_TCC, REFERENCE_STAGE, REFERENCE_TCC, ddcVerdict, describeVerdict } from "./stages/ddc.js";
import { collectGarbage } from "./store/gc.js";
import { listEntries, type StoreEntry } from "./store/store.js";
import { bootIsoCommand } from "./iso/command.js";
import { Progress } from "./progress.js";
import { SHELL_HELP, runShellCommand, shellWords } from "./shell/command.js";
import { NativeBackend } from "./vm/native.js";
import { QemuBackend, hostCpus } from "./vm/qemu.js";
import { qemuBinaryFor } from "./vm/qemu-args.js";
import { backendChooser, parseBackend } from "./vm/select.js";
import { V86Backend } from "./vm/v86.js";

export interface CommandContext {
  positionals: string[];
  options: Record<string, string | boolean | string[] | undefined>;
  verbose: boolean;
  tty: boolean;
  log: (line: string) => void;
  print: (line: string) => void;
  /** Aborted on SIGINT/SIGTERM: running VMs are killed and nothing half-done is stored. */
  signal: AbortSignal;
}

export interface Command {
  summary: string;
  usage: string;
  help: string;
  run(ctx: CommandContext): Promise<void>;
}

export const DEFAULT_TARGET = "1-stage1";

function provisionOptions(ctx: CommandContext): ProvisionOptions {
  const mirrors = ctx.options.mirror;
  return {
    mirrors: Array.isArray(mirrors) ? mirrors : [],
    progress: ctx.tty,
    log: ctx.log,
    verbose: ctx.verbose,
    jobs: hostCpus(),
  };
}

function noPositionals(ctx: CommandContext, command: string): void {
  if (ctx.positionals.length > 0) {
    throw new ZilchError({ code: "USAGE", message: `${command} takes no arguments, got ${ctx.positionals.join(" ")}`, hint: `run 'zilchboot ${command} --help'` });
  }
}

function describeEntry(entry: StoreEntry): string {
  const r = entry.record;
  return `${r.stage}  out ${r.outputSha256}  ${r.outputFiles} files ${r.outputBytes} bytes  ${entry.outDir}`;
}

const SHARED_VM_HELP = `  --seed FILE      use this static x86_64 tcc as the seed instead of building one
  --kernel FILE    boot this kernel (vmlinux or bzImage) instead of building one
  --accel NAME     force an accelerator (kvm, hvf, whpx, tcg); default: probe, fall back to tcg
  --qemu BIN       qemu-system-x86_64 binary to use
  --cpus N         guest vCPUs (default: host cores, ${hostCpus()} here)
  --memory MIB     guest memory (default: the stage's memoryMiB)
  --timeout SEC    kill the VM after SEC seconds (default: the stage's timeoutSeconds)
  --backend NAME   qemu, v86 (32-bit guests only, no QEMU needed) or auto (default: QEMU when
                   installed, else v86 for stages marked "small")
  --runner NAME    qemu (default: the --backend VM) or native: Linux namespaces + chroot, no VM
                   (weaker isolation)
  --mirror DIR|URL extra download source, flat, keyed by file name (repeatable)
  --verbose        show the console live and tool details`;

/** Everything a chain build needs, from the flags; provisions kernel and seed. */
async function chainOptions(ctx: CommandContext, target: string, progress?: Progress): Promise<ChainOptions> {
  // A wrong stage name or flag should fail now, not after a kernel build.
  await loadStage(recipesDir(), target);
  const cpus = positiveInt(ctx, "cpus", hostCpus());
  const memoryMiB = ctx.options.memory === undefined ? undefined : positiveInt(ctx, "memory", 1);
  const timeoutMs = ctx.options.timeout === undefined ? undefined : positiveInt(ctx, "timeout", 1) * 1000;
  const popts = provisionOptions(ctx);
  const kernel = await provideKernel(str(ctx, "kernel"), popts);
  const seed = await provideSeed(str(ctx, "seed"), popts);
  const runner = str(ctx, "runner") ?? "qemu";
  if (runner !== "qemu" && runner !== "native") throw new ZilchError({ code: "USAGE", message: `--runner must be qemu or native, got ${JSON.stringify(runner)}`, hint: "native (Linux only) is weaker isolation than the VM" });
  if (runner === "native") ctx.log("runner: native (namespaces + chroot on the host kernel): weaker isolation than the VM");
  const backend = runner === "native"
    ? new NativeBackend()
    : new QemuBackend({ binary: str(ctx, "qemu"), accel: str(ctx, "accel"), probeKernel: kernel.path, cacheDir: cacheDir(), log: ctx.log });
  // Stages that declare another arch (e.g. "arch": "i386") get that arch's kernel, seed and
  // emulator, built or taken from the cache the first time one is needed.
  const archTarget = async (arch: GuestArch): Promise<ArchTarget> => {
    const archKernel = await provideKernel(undefined, popts, arch);
    const archSeed = await provideSeed(undefined, popts, arch);
    return {
      seed: archSeed.path,
      kernel: { path: archKernel.path, identity: archKernel.identity },
      backend: runner === "native"
        ? new NativeBackend()
        : new QemuBackend({ arch, accel: str(ctx, "accel"), probeKernel: archKernel.path, cacheDir: cacheDir(), log: ctx.log }),
    };
  };
  // --backend: per stage, v86 or the arch's QEMU (vm/select.ts); the native runner replaces both.
  const backendFor = runner === "native" ? undefined : backendChooser(parseBackend(str(ctx, "backend")), {
    v86: () => new V86Backend(),
    qemuBinary: (arch) => qemuBinaryFor(arch, arch === "x86_64" ? str(ctx, "qemu") : undefined),
    log: ctx.log,
  });
  return {
    archTarget,
    backendFor,
    backend,
    recipesRoot: recipesDir(),
    provision: popts,
    workDir: workDir(),
    guestDir: guestDir(),
    seed: seed.path,
    kernel: { path: kernel.path, identity: kernel.identity },
    cpus,
    memoryMiB,
    timeoutMs,
    keep: ctx.options.keep === true,
    forceTarget: ctx.options.force === true,
    lockFile: path.join(recipesDir(), "lock.json"),
    updateLock: ctx.options["update-lock"] === true,
    onConsoleLine: ctx.verbose ? (line) => ctx.log(`  | ${line}`) : (line) => progress?.consoleLine(line),
    log: ctx.log,
    signal: ctx.signal,
    onStageStart: (name) => progress?.start(name),
    onStageDone: (name, result, seconds) => {
      progress?.done(name, result, seconds);
      if (result.cached) ctx.log(`${name}: cached (input ${result.entry.record.inputHash.slice(0, 16)})`);
      else if (result.run) {
        ctx.log(`${name}: built in ${seconds.toFixed(1)}s with ${result.run.engine}; PID 1 output after ${result.run.initOutputMs ?? "?"} ms; log ${result.logFile}`);
      }
    },
  };
}

export const COMMANDS: Record<string, Command> = {
  fetch: {
    summary: "download and verify pinned sources into the cache",
    usage: "[NAME...] [--mirror DIR|URL]",
    help: `Fetches the named pins of recipes/sources.json (all when none are named) into the download cache
(${cacheDir()}), trying the cache, --mirror, upstream URLs, then apt. Every file is sha256-checked.`,
    async run(ctx) {
      for (const { pin, path: file } of await fetchPinned(ctx.positionals, provisionOptions(ctx))) {
        ctx.print(`${pin.name} ${pin.version}  ${pin.sha256}  ${file}`);
      }
    },
  },
  seed: {
    summary: "build the seed tcc from the pinned tinycc source and print its sha256",
    usage: "[--arch x86_64|i386] [--seed FILE]",
    help: `Builds a static x86_64 tcc with the host's musl-gcc (cc -static as fallback) into images/tcc-seed,
or with --arch i386 a static i386 tcc with i386-linux-musl-gcc (Debian's musl-dev:i386) into
images/i386/tcc-seed. With --seed FILE, validates that file instead (ELF64 x86_64 or ELF32 i386,
ET_EXEC, no PT_INTERP).`,
    async run(ctx) {
      noPositionals(ctx, "seed");
      const seed = await provideSeed(str(ctx, "seed"), provisionOptions(ctx), parseArch(str(ctx, "arch")));
      ctx.print(`${seed.sha256}  ${seed.path}`);
    },
  },
  kernel: {
    summary: "build the guest kernel from the pinned Linux source",
    usage: "[--arch x86_64|i386] [--verbose]",
    help: `Builds vmlinux and bzImage (tinyconfig + vm/kernel/common.config + vm/kernel/ARCH.config) into
images/ (x86_64) or images/i386/, checking every requested option survived. Prints the image a VM
boots (x86_64: vmlinux via PVH; i386: bzImage) and the kernel's identity.
  --arch NAME      x86_64 (default) or i386 (for v86 and qemu-system-i386)`,
    async run(ctx) {
      noPositionals(ctx, "kernel");
      const kernel = await provideKernel(str(ctx, "kernel"), provisionOptions(ctx), parseArch(str(ctx, "arch")));
      ctx.print(`${kernel.path}  ${JSON.stringify(kernel.identity)}`);
    },
  },
  probe: {
    summary: "show which accelerator QEMU will use here (probing if not cached) and whether v86 can run",
    usage: "[--accel NAME] [--kernel FILE]",
    help: "Boots the guest kernel once per hardware accelerator candidate with a timeout; prints the verdict.",
    async run(ctx) {
      noPositionals(ctx, "probe");
      const kernel = await provideKernel(str(ctx, "kernel"), provisionOptions(ctx));
      const backend = new QemuBackend({ binary: str(ctx, "qemu"), accel: str(ctx, "accel"), probeKernel: kernel.path, cacheDir: cacheDir(), log: ctx.log });
      const result = await backend.probe();
      ctx.print(result.usable ? `qemu: ${result.detail}` : `qemu unusable: ${result.detail}`);
      const v86 = await new V86Backend().probe();
      ctx.print(v86.usable ? `v86: ${v86.detail}` : `v86 unusable: ${v86.detail}`);
    },
  },
  build: {
    summary: `build a stage in a fresh VM (default: ${DEFAULT_TARGET}); cached by input hash`,
    usage: "[STAGE] [--keep] [--force] [--update-lock] [--json FILE] [VM options]",
    help: `Fetches the stage's sources, provides the kernel and the seed, boots the VM with only the declared
inputs, and moves the output into the store (${path.join(workDir(), "store")}).
  --keep           keep the run directory of a failed build
  --force          rebuild even when the store holds the same input hash
  --update-lock    accept an output that differs from recipes/lock.json and record it
  --json FILE      also write a machine-readable report (per stage: cached/built, time, hashes, log)
${SHARED_VM_HELP}`,
    async run(ctx) {
      if (ctx.positionals.length > 1) throw new ZilchError({ code: "USAGE", message: "build takes one stage", hint: `known stages: ${listStagesSync(recipesDir()).join(", ")}` });
      const target = ctx.positionals[0] ?? DEFAULT_TARGET;
      const json = str(ctx, "json");
      const progress = new Progress(process.stderr, ctx.tty && !ctx.verbose);
      let entry: StoreEntry;
      try {
        entry = await buildChain(target, await chainOptions(ctx, target, progress));
      } finally {
        progress.stopLive();
      }
      for (const line of progress.summary()) ctx.log(line);
      if (json) await progress.writeJson(json, target);
      ctx.print(describeEntry(entry));
    },
  },
  shell: {
    summary: "open ash in a stage's VM (its inputs, or --after also its output; --web for a browser)",
    usage: "STAGE [--before|--after] [--rerun] [--web] [VM options]",
    help: `${SHELL_HELP}
${SHARED_VM_HELP}`,
    async run(ctx) {
      const words = shellWords(ctx.positionals, ctx.options, Boolean(process.stdin.isTTY && process.stdout.isTTY));
      await runShellCommand(words, await chainOptions(ctx, words.stage), ctx);
    },
  },
  plan: {
    summary: "show what building a stage would reuse or run, and why, without booting",
    usage: "[STAGE] [--seed FILE]",
    help: "Computes each needed stage's input hash (recipe files, guest headers, seed, sources, inputs' outputs)\nand looks it up in the store; prints reuse/build per stage, inputs first.",
    async run(ctx) {
      const target = ctx.positionals[0] ?? DEFAULT_TARGET;
      await loadStage(recipesDir(), target);
      const seed = await provideSeed(str(ctx, "seed"), provisionOptions(ctx));
      const otherSeeds: Partial<Record<GuestArch, string>> = {};
      for (const stage of await stagesInOrder(recipesDir(), target)) {
        if (stage.arch !== "x86_64") otherSeeds[stage.arch] ??= (await provideSeed(undefined, provisionOptions(ctx), stage.arch)).sha256;
      }
      const pins = Object.fromEntries((await loadPins(pinsFile())).map((pin) => [pin.name, pin.sha256]));
      const plan = await planChain(target, {
        recipesRoot: recipesDir(),
        workDir: workDir(),
        guestDir: guestDir(),
        seedSha256: seed.sha256,
        otherSeeds,
        lockFile: path.join(recipesDir(), "lock.json"),
        pins,
      });
      for (const step of plan) {
        ctx.print(`${step.name.padEnd(12)} ${step.action.padEnd(5)}  input ${step.inputHash?.slice(0, 16) ?? "(after its inputs)"}  out ${step.output?.slice(0, 16) ?? "?"}  ${step.reason}`);
      }
    },
  },
  verify: {
    summary: "rebuild stages ignoring the store and compare them with recipes/lock.json",
    usage: "STAGE... [VM options]",
    help: `Rebuilds each named stage in a fresh VM (its inputs come from the store or are built first) into a
scratch store, and fails unless its output hash equals the lock's. The real store is not touched.
${SHARED_VM_HELP}`,
    async run(ctx) {
      if (ctx.positionals.length === 0) throw new ZilchError({ code: "USAGE", message: "verify needs at least one stage", hint: `known stages: ${listStagesSync(recipesDir()).join(", ")}` });
      for (const target of ctx.positionals) {
        const scratch = await fs.mkdtemp(path.join(workDir(), "verify-"));
        try {
          const options = await chainOptions(ctx, target);
          // Inputs are reused from the real store; only the target is rebuilt, into the scratch store.
          const inputs: Record<string, StoreEntry> = {};
          for (const input of (await loadStage(recipesDir(), target)).inputs) inputs[input] = await buildChain(input, options);
          const stage = await loadStage(recipesDir(), target);
          const runWith = await stageTarget(stage, options.cpus, (arch) => options.archTarget!(arch), options.backendFor);
          const result = await buildStage({ ...options, ...runWith, stage, workDir: scratch, dependencies: inputs, sources: await provideStageSources(stage, options.provision), force: true, updateLock: false });
          ctx.print(`${target}: reproduced ${result.entry.record.outputSha256} (matches recipes/lock.json)`);
        } finally {
          await fs.rm(scratch, { recursive: true, force: true });
        }
      }
    },
  },
  ddc: {
    summary: "diverse double-compile: rebuild stage 1's x86_64 tcc from the independent i386 seed and compare",
    usage: "[VM options]",
    help: `Builds ${REFERENCE_STAGE} (x86_64 seed, x86_64 guest), 1-stage1-i386 (i386 seed: an i386 tcc fixpoint) and
${DDC_STAGE} (i386 guest: that tcc builds an i386-hosted tcc targeting x86_64 from the same tinycc source, which
builds x86_64 libtcc1, protomusl and tcc as a stage-1 pass does), each cached in the store; then compares
the two x86_64 tcc binaries byte for byte, prints both sha256s and the verdict, and exits 1 if they differ
(naming the first differing byte). i386 stages run under qemu-system-i386.
${SHARED_VM_HELP}`,
    async run(ctx) {
      noPositionals(ctx, "ddc");
      const progress = new Progress(process.stderr, ctx.tty && !ctx.verbose);
      let reference: StoreEntry, ddc: StoreEntry;
      try {
        const options = await chainOptions(ctx, DDC_STAGE, progress);
        reference = await buildChain(REFERENCE_STAGE, options);
        ddc = await buildChain(DDC_STAGE, options);
      } finally {
        progress.stopLive();
      }
      for (const line of progress.summary()) ctx.log(line);
      const verdict = await ddcVerdict(ddc.outDir, reference.outDir);
      for (const line of describeVerdict(verdict)) ctx.print(line);
      if (!verdict.identical) {
        throw new ZilchError({
          code: "STAGE",
          message: `diverse double-compile failed: the x86_64 tcc built from the i386 seed differs from ${REFERENCE_STAGE}'s at byte offset ${verdict.firstDifference}`,
          hint: `compare ${path.join(ddc.outDir, DDC_TCC)} with ${path.join(reference.outDir, REFERENCE_TCC)} (cmp -l); the 1-ddc log says which parts differ`,
        });
      }
    },
  },
  gc: {
    summary: "remove store entries whose output recipes/lock.json does not name, and stale runs",
    usage: "",
    help: "Deletes store entries whose (stage, output hash) is not in recipes/lock.json, and run directories no live process holds; entries and runs in use by another process are kept.",
    async run(ctx) {
      noPositionals(ctx, "gc");
      const report = await collectGarbage({ workDir: workDir(), lockFile: path.join(recipesDir(), "lock.json"), log: ctx.log });
      for (const dir of [...report.removedEntries, ...report.removedRuns]) ctx.print(`removed ${dir}`);
      for (const dir of [...report.busyEntries, ...report.busyRuns]) ctx.print(`kept ${dir} (in use by another process)`);
    },
  },
  ls: {
    summary: "list the store with output hashes and sizes",
    usage: "",
    help: "Lists every store entry: stage, output sha256, file count, bytes, path.",
    async run(ctx) {
      noPositionals(ctx, "ls");
      for (const entry of await listEntries(workDir())) ctx.print(describeEntry(entry));
    },
  },
  "boot-iso": bootIsoCommand,
};
