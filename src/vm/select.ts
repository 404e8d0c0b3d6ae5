// Which backend runs a stage: `--backend qemu|v86|auto` (and `--runner native`), decided per stage
// because `auto` only falls back to v86 for stages marked "small" (v86 is ~3× slower than QEMU's
// TCG and emulates a 32-bit x86 only).
import { execa } from "execa";
import type { GuestArch } from "../arch.js";
import { ZilchError } from "../errors.js";
import type { VmBackend } from "./backend.js";

export const BACKENDS = ["qemu", "v86", "auto"] as const;
export type BackendRequest = (typeof BACKENDS)[number];

export function parseBackend(raw: string | undefined): BackendRequest {
  const value = raw ?? "auto";
  if (!(BACKENDS as readonly string[]).includes(value)) {
    throw new ZilchError({ code: "USAGE", message: `--backend must be one of ${BACKENDS.join(", ")}, got ${JSON.stringify(value)}`, hint: "auto uses QEMU when it is installed, else v86 for stages marked small" });
  }
  return value as BackendRequest;
}

export interface StageTraits {
  name: string;
  small: boolean;
  arch: GuestArch;
}

/** The backend for one stage; throws one clear line when none can run it. Pure. */
export function decideBackend(request: BackendRequest, stage: StageTraits, qemuRunnable: boolean): "qemu" | "v86" {
  const arch = stage.arch;
  const v86Refusal = (why: string) =>
    new ZilchError({ code: "VM", message: `stage ${stage.name} cannot run under v86: ${why}`, hint: "build for --arch i386, or use --backend qemu (install QEMU with scripts/setup-host.sh)" });
  if (request === "qemu") return "qemu";
  if (request === "v86") {
    if (arch !== "i386") throw v86Refusal(`it is an ${arch} stage and v86 emulates a 32-bit x86 only (no long mode)`);
    return "v86";
  }
  if (qemuRunnable) return "qemu";
  if (arch !== "i386") throw v86Refusal(`QEMU is not installed, and v86 emulates a 32-bit x86 only while the stage is ${arch}`);
  if (!stage.small) {
    throw new ZilchError({
      code: "VM",
      message: `QEMU is not installed and stage ${stage.name} is not marked "small": under v86 it would take ~3× longer`,
      hint: "install QEMU (scripts/setup-host.sh), or force it with --backend v86",
    });
  }
  return "v86";
}

/** `qemu-system-*` answers --version: the only thing `auto` needs to know. */
export async function qemuRunnable(binary: string): Promise<boolean> {
  const result = await execa(binary, ["--version"], { reject: false, timeout: 10_000 });
  return result.exitCode === 0;
}

export interface ChooserOptions {
  /** Makes the v86 backend (once). */
  v86: () => VmBackend;
  /** The QEMU binary `auto` looks for, per guest arch. */
  qemuBinary: (arch: GuestArch) => string;
  log?: (line: string) => void;
}

/** Per stage: the v86 backend, or undefined for "QEMU as usual" (the arch's default backend).
 *  QEMU is looked for once per binary. */
export function backendChooser(request: BackendRequest, opts: ChooserOptions): (stage: StageTraits) => Promise<VmBackend | undefined> {
  let v86: VmBackend | undefined;
  const found = new Map<string, Promise<boolean>>();
  return async (stage) => {
    let hasQemu = request === "qemu";
    if (request === "auto") {
      const binary = opts.qemuBinary(stage.arch);
      if (!found.has(binary)) found.set(binary, qemuRunnable(binary));
      hasQemu = await found.get(binary)!;
    }
    if (decideBackend(request, stage, hasQemu) === "qemu") return undefined;
    if (request === "auto") opts.log?.(`${stage.name}: ${opts.qemuBinary(stage.arch)} not found; running this small stage under v86`);
    return (v86 ??= opts.v86());
  };
}
