// Which backend runs a stage: `--backend qemu|v86|auto` (and `--runner native`), decided per stage
// because `auto` only falls back to v86 for stages marked "small" (v86 is ~3× slower than QEMU's
// TCG and emulates a 32-bit x86 only).
import { execa } from "execa";
import { ZilchError } from "../errors.js";
import type { VmBackend } from "./backend.js";

export const BACKENDS = ["qemu", "v86", "auto"] as const;
export type BackendRequest = (typeof BACKENDS)[number];
export type GuestArch = "x86_64" | "i386";

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
}

/** The backend for one stage; throws one clear line when none can run it. Pure. */
export function decideBackend(request: BackendRequest, arch: GuestArch, stage: StageTraits, qemuRunnable: boolean): "qemu" | "v86" {
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

export interface BackendFactory {
  qemu: () => VmBackend;
  v86: () => VmBackend;
  qemuBinary: string;
  log?: (line: string) => void;
}

/** A per-stage chooser; each backend is made once, QEMU is looked for once. */
export function backendChooser(request: BackendRequest, arch: GuestArch, factory: BackendFactory): (stage: StageTraits) => Promise<VmBackend> {
  const made = new Map<string, VmBackend>();
  let runnable: Promise<boolean> | undefined;
  return async (stage) => {
    const hasQemu = request === "auto" ? await (runnable ??= qemuRunnable(factory.qemuBinary)) : request === "qemu";
    const name = decideBackend(request, arch, stage, hasQemu);
    if (request === "auto" && name === "v86") factory.log?.(`${stage.name}: QEMU not found (${factory.qemuBinary}); running this small stage under v86`);
    let backend = made.get(name);
    if (!backend) {
      backend = name === "qemu" ? factory.qemu() : factory.v86();
      made.set(name, backend);
    }
    return backend;
  };
}
