// What a host needs before an accelerator probe means anything, and what to tell its user when the
// probe fails: WHPX (Windows) and HVF (macOS) fail in ways a boot-and-timeout probe alone cannot
// explain (a QEMU build without the accelerator, a Windows feature turned off, an unsigned binary).
// Everything host-specific is injected (AccelHost), so tests on Linux can play Windows or a Mac.
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import { shellQuote } from "../stages/rerun-hint.js";

/** The host as the accelerator choice sees it; tests pass their own. */
export interface AccelHost {
  platform: NodeJS.Platform;
  /** os.arch(): "arm64" on Apple Silicon, "x64" on Intel. */
  arch: string;
  /** Runs `codesign ARGS` (macOS); `output` is stdout and stderr together. */
  codesign: (args: string[]) => Promise<{ exitCode: number | undefined; output: string }>;
}

export function defaultAccelHost(): AccelHost {
  return {
    platform: process.platform,
    arch: os.arch(),
    codesign: async (args) => {
      // exitCode stays undefined when codesign is missing or hangs: "unknown", never "missing".
      const r = await execa("codesign", args, { reject: false, all: true, stdin: "ignore", timeout: 10_000 });
      return { exitCode: r.exitCode, output: String(r.all ?? "") };
    },
  };
}

/** The `-accel` strings to try for one accelerator, best first. WHPX's in-kernel irqchip fails
 *  Linux guests with "whpx: injection failed … (c0350005)" / "Unexpected VP exit code 4";
 *  kernel-irqchip=off avoids it, and QEMUs too old to know the option fall back to plain whpx.
 *  A string with options (`whpx,kernel-irqchip=on`) is tried exactly as given. */
export function accelVariants(accel: string): string[] {
  return accel === "whpx" ? ["whpx,kernel-irqchip=off", "whpx"] : [accel];
}

/** Accelerators whose presence in this QEMU build is checked with `-accel help` before probing:
 *  QEMU for Windows builds may lack WHPX and macOS builds HVF. KVM needs no check: /dev/kvm
 *  decides whether it is a candidate, and its probe error says the rest. */
const LISTED_CHECK = new Set(["whpx", "hvf"]);

/** The accelerators `qemu -M none -accel help` lists, or undefined when it does not answer (an
 *  old or broken QEMU: then the probe itself decides). */
export async function listedAccelerators(qemu: string): Promise<Set<string> | undefined> {
  const r = await execa(qemu, ["-M", "none", "-accel", "help"], { reject: false, stdin: "ignore", timeout: 10_000 });
  if (r.exitCode !== 0) return undefined;
  // "Accelerators supported in QEMU binary:" then one name a line (CRLF on Windows).
  const names = String(r.stdout).split(/\r?\n/).map((l) => l.trim()).filter((l) => /^[a-z0-9_-]+$/.test(l));
  return names.length > 0 ? new Set(names) : undefined;
}

/** Why `name` must not be probed here at all, or undefined. `listed` is fetched only if needed. */
export async function notProbedReason(name: string, qemu: string, host: AccelHost, listed: () => Promise<Set<string> | undefined>): Promise<{ detail: string; hint?: string } | undefined> {
  // Hypervisor.framework on Apple Silicon runs arm64 guests only; every guest here is x86.
  if (name === "hvf" && host.arch === "arm64") {
    return { detail: "hvf: not probed: this Mac has Apple Silicon (arm64), and Hypervisor.framework runs only arm64 guests, not x86 ones; using TCG (emulation, slower)" };
  }
  if (!LISTED_CHECK.has(name)) return undefined;
  const list = await listed();
  if (!list || list.has(name)) return undefined;
  const hint = name === "whpx"
    ? "install a QEMU for Windows build whose `qemu-system-x86_64 -accel help` lists whpx"
    : "install a QEMU built with HVF (Homebrew's qemu is)";
  return { detail: `${name}: not probed: ${qemu} was built without it (\`-accel help\` lists only ${[...list].join(", ")})`, hint };
}

export type Entitlement = "present" | "missing" | "unknown";

/** Whether the QEMU binary carries the com.apple.security.hypervisor entitlement that HVF needs
 *  (without it hv_vm_create fails with HV_ERROR or HV_DENIED). */
export async function hvfEntitlement(qemu: string, host: AccelHost): Promise<Entitlement> {
  const file = await resolveOnPath(qemu);
  if (!file) return "unknown";
  const r = await host.codesign(["--display", "--entitlements", "-", file]).catch(() => undefined);
  if (!r || r.exitCode === undefined) return "unknown";
  if (r.output.includes("com.apple.security.hypervisor")) return "present";
  // Exit 0 with other entitlements, or "code object is not signed at all" (exit 1): both lack it.
  return r.exitCode === 0 || /not signed/i.test(r.output) ? "missing" : "unknown";
}

export const ENTITLEMENTS_PLIST = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>com.apple.security.hypervisor</key>
  <true/>
</dict>
</plist>
`;

export interface FailureContext {
  qemu: string;
  /** hvf only: what codesign said. */
  entitlement?: Entitlement;
  /** Where the signing hint may write its entitlements plist. */
  cacheDir: string;
}

/** A recognised probe failure: what to do, and whether the other variants of the same
 *  accelerator can be skipped (the cause is the host, not the variant). */
export interface FailureHint {
  hint: string;
  hostWide: boolean;
}

/** Recognises the WHPX and HVF failures worth a hint from the probe's output. */
export async function failureHint(accel: string, output: string, ctx: FailureContext): Promise<FailureHint | undefined> {
  const name = accel.split(",")[0];
  if (name === "whpx" && /WHPX: No accelerator found/i.test(output)) {
    return {
      hint: "enable the Windows Hypervisor Platform feature (as administrator: `DISM /online /Enable-Feature /FeatureName:HypervisorPlatform /All`), then reboot",
      hostWide: true,
    };
  }
  if (name === "whpx" && !accel.includes("kernel-irqchip=off") && /injection failed|Unexpected VP exit code/i.test(output)) {
    return { hint: "this is WHPX's in-kernel irqchip failing Linux guests; `--accel whpx,kernel-irqchip=off` avoids it (a QEMU that rejects that option is too old)", hostWide: false };
  }
  if (name === "hvf" && (ctx.entitlement === "missing" || /HV_ERROR|HV_DENIED|hv_vm_create/.test(output))) {
    return { hint: await signingHint(ctx), hostWide: true };
  }
  return undefined;
}

/** The exact ad-hoc signing command; the plist it needs is written to the cache so that it can
 *  be pasted as it is. */
async function signingHint(ctx: FailureContext): Promise<string> {
  const file = (await resolveOnPath(ctx.qemu)) ?? ctx.qemu;
  const plist = path.join(ctx.cacheDir, "hvf-entitlements.plist");
  const written = await fs.mkdir(ctx.cacheDir, { recursive: true }).then(() => fs.writeFile(plist, ENTITLEMENTS_PLIST)).then(() => true, () => false);
  const why = ctx.entitlement === "missing" ? `${file} lacks` : `${file} probably lacks (hv_vm_create failed)`;
  const plistSays = written ? `(${plist} was written for it: com.apple.security.hypervisor = true)` : `after writing ${plist}: a plist whose dict sets the key com.apple.security.hypervisor to <true/>`;
  return `${why} the com.apple.security.hypervisor entitlement that hvf needs; sign it ad hoc with \`codesign -s - --entitlements ${shellQuote(plist)} --force ${shellQuote(file)}\` ${plistSays}, then run \`zilchboot probe\` again`;
}

/** `qemu` as a file: as given when it names a path, else looked up on PATH. */
async function resolveOnPath(command: string): Promise<string | undefined> {
  if (command.includes("/") || command.includes(path.sep)) return path.resolve(command);
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, command);
    if (await fs.access(file, fs.constants.X_OK).then(() => true, () => false)) return file;
  }
  return undefined;
}
