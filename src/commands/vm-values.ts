// The values of the VM flags, checked before any work: a typo in --accel or an impossible
// --memory must not wait for a kernel build and a boot to be noticed.
import { statSync } from "node:fs";
import os from "node:os";
import { positiveInt, str } from "../cli-options.js";
import { didYouMean } from "../did-you-mean.js";
import { ZilchError } from "../errors.js";
import type { CommandContext } from "./context.js";

type Options = Pick<CommandContext, "options">;

/** What --accel may name (QEMU's -accel; options after a comma are passed on as given). */
export const ACCELERATORS = ["kvm", "hvf", "whpx", "tcg"];
/** Below this a Linux guest does not get to PID 1; every stage declares 256 MiB or more. */
export const MIN_MEMORY_MIB = 64;

export function accelFlag(ctx: Options): string | undefined {
  const accel = str(ctx, "accel");
  if (accel === undefined) return undefined;
  const name = accel.split(",")[0]!;
  if (ACCELERATORS.includes(name)) return accel;
  throw new ZilchError({
    code: "USAGE",
    message: `--accel must be one of ${ACCELERATORS.join(", ")}, got ${JSON.stringify(accel)}`,
    hint: didYouMean(name, ACCELERATORS) ?? "or leave --accel out to probe",
  });
}

/** A guest memory size in MiB, between MIN_MEMORY_MIB and the host's memory. */
export function checkMemory(memoryMiB: number): number {
  const hostMiB = Math.floor(os.totalmem() / 2 ** 20);
  if (memoryMiB < MIN_MEMORY_MIB) {
    throw new ZilchError({ code: "USAGE", message: `--memory ${memoryMiB} is too little: the guest kernel needs at least ${MIN_MEMORY_MIB} MiB`, hint: `pass --memory ${MIN_MEMORY_MIB} or more, or leave it out for the default` });
  }
  if (memoryMiB > hostMiB) {
    throw new ZilchError({ code: "USAGE", message: `--memory ${memoryMiB} is more than this host's ${hostMiB} MiB`, hint: `pass at most --memory ${Math.floor(hostMiB / 2)}, or leave it out for the default` });
  }
  return memoryMiB;
}

/** A file a flag names (--seed, --kernel) must exist before anything is built around it. */
export function fileFlag(ctx: Options, name: string, what: string): string | undefined {
  const file = str(ctx, name);
  if (file === undefined) return undefined;
  let isFile: boolean;
  try {
    isFile = statSync(file).isFile();
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new ZilchError({ code: "USAGE", message: `--${name} ${file}: ${code === "ENOENT" ? "no such file" : `cannot read it (${code ?? (cause as Error).message})`}`, hint: `pass ${what}, or leave --${name} out`, cause });
  }
  if (!isFile) throw new ZilchError({ code: "USAGE", message: `--${name} ${file} is not a file`, hint: `pass ${what}, or leave --${name} out` });
  return file;
}

export interface VmFlagValues {
  accel: string | undefined;
  cpus: number;
  memoryMiB: number | undefined;
  timeoutMs: number | undefined;
  seed: string | undefined;
  kernel: string | undefined;
}

/** Every VM flag's value, or the first one's usage error. Reads no more than two stat()s. */
export function vmFlagValues(ctx: Options): VmFlagValues {
  return {
    accel: accelFlag(ctx),
    cpus: positiveInt(ctx, "cpus", os.availableParallelism()),
    memoryMiB: ctx.options.memory === undefined ? undefined : checkMemory(positiveInt(ctx, "memory", 1, 1024)),
    timeoutMs: ctx.options.timeout === undefined ? undefined : positiveInt(ctx, "timeout", 1, 600) * 1000,
    seed: fileFlag(ctx, "seed", "a static tcc (e.g. images/tcc-seed from 'zilchboot seed')"),
    kernel: fileFlag(ctx, "kernel", "a guest kernel (vmlinux from 'zilchboot kernel')"),
  };
}
