// Picks the fastest accelerator that really works here. /dev/kvm existing proves nothing (nested
// virtualisation can hang a KVM guest forever), so each candidate must boot a guest kernel to its
// panic within a timeout; verdicts are cached per QEMU binary, version and host kernel. Only
// successes are cached, for VERDICT_TTL_MS: a probe that failed once (a loaded host, a busy
// /dev/kvm) must not disable the accelerator until someone deletes the file.
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import { writeJsonAtomic } from "../store/atomic-file.js";

export const TCG = "tcg,thread=multi";

/** A cached success is re-probed after a week (kernel, firmware or QEMU settings may change). */
export const VERDICT_TTL_MS = 7 * 24 * 60 * 60 * 1000;

export interface AccelVerdict {
  accel: string;
  ok: boolean;
  ms: number;
  detail: string;
}

/** Hardware accelerators worth probing on this host, best first; TCG is always the fallback. */
export async function acceleratorCandidates(platform = process.platform): Promise<string[]> {
  if (platform === "linux") {
    const kvm = await fs.access("/dev/kvm", fs.constants.R_OK | fs.constants.W_OK).then(() => true, () => false);
    return kvm ? ["kvm"] : [];
  }
  if (platform === "darwin") return ["hvf"];
  if (platform === "win32") return ["whpx"];
  return [];
}

/** Boots `kernel` with no root: a working accelerator reaches "Kernel panic" and QEMU exits (-no-reboot). */
export async function probeAccelerator(qemu: string, kernel: string, accel: string, timeoutMs: number): Promise<AccelVerdict> {
  const started = performance.now();
  const cpu = accel === "kvm" || accel === "hvf" ? ["-cpu", "host"] : [];
  const child = execa(qemu, [
    "-accel", accel, ...cpu, "-M", "pc", "-m", "64", "-nodefaults", "-no-user-config", "-nic", "none",
    "-display", "none", "-serial", "stdio", "-no-reboot", "-kernel", kernel, "-append", "console=ttyS0 pci=noacpi panic=-1",
  ], { reject: false, stdin: "ignore", timeout: timeoutMs, killSignal: "SIGKILL", forceKillAfterDelay: false, all: true });
  const result = await child;
  const ms = Math.round(performance.now() - started);
  const output = String(result.all ?? "");
  if (result.timedOut) return { accel, ok: false, ms, detail: `${accel}: probe boot hung for ${timeoutMs} ms, killed` };
  if (result.exitCode === 0 && output.includes("Kernel panic")) return { accel, ok: true, ms, detail: `${accel}: kernel booted in ${ms} ms` };
  const why = output.trim().split("\n").find((line) => /error|fail/i.test(line)) ?? `exit ${result.exitCode}`;
  return { accel, ok: false, ms, detail: `${accel}: ${why.trim()}` };
}

interface VerdictFile {
  [key: string]: AccelVerdict & { checkedAt: string };
}

async function qemuIdentity(qemu: string): Promise<string> {
  const { stdout } = await execa(qemu, ["--version"], { reject: false });
  return `${qemu}|${stdout.split("\n")[0]}|${os.release()}`;
}

export interface ChooseOptions {
  qemu: string;
  kernel: string;
  cacheDir: string;
  candidates: string[];
  probeTimeoutMs: number;
  log?: (line: string) => void;
  /** The clock verdicts expire by (default Date.now). */
  now?: () => number;
}

/** First candidate whose (cached or fresh) probe succeeds, else TCG. */
export async function chooseAccelerator(opts: ChooseOptions): Promise<{ accel: string; verdicts: AccelVerdict[] }> {
  const file = path.join(opts.cacheDir, "accel-verdicts.json");
  const cached: VerdictFile = await fs.readFile(file, "utf8").then((text) => JSON.parse(text) as VerdictFile, () => ({}));
  const identity = await qemuIdentity(opts.qemu);
  const now = opts.now ?? Date.now;
  const verdicts: AccelVerdict[] = [];
  for (const accel of opts.candidates) {
    const key = `${identity}|${accel}`;
    let verdict: AccelVerdict | undefined = usable(cached[key], now());
    const fresh = !verdict;
    if (!verdict) {
      opts.log?.(`probing accelerator ${accel} (timeout ${opts.probeTimeoutMs} ms)`);
      verdict = await probeAccelerator(opts.qemu, opts.kernel, accel, opts.probeTimeoutMs);
      if (verdict.ok) cached[key] = { ...verdict, checkedAt: new Date(now()).toISOString() };
      else delete cached[key];
      await fs.mkdir(path.dirname(file), { recursive: true });
      await writeJsonAtomic(file, cached);
    }
    verdicts.push(verdict);
    opts.log?.(`accelerator ${verdict.detail}${verdict.ok ? "" : "; using the next choice"}${fresh ? "" : ` (verdict cached in ${file})`}`);
    if (verdict.ok) return { accel, verdicts };
  }
  return { accel: TCG, verdicts };
}

/** A cached verdict still to be trusted: a success younger than VERDICT_TTL_MS (files written
 *  before verdicts expired may hold failures and lack checkedAt: those are ignored). */
function usable(verdict: (AccelVerdict & { checkedAt?: string }) | undefined, nowMs: number): AccelVerdict | undefined {
  if (!verdict?.ok || verdict.checkedAt === undefined) return undefined;
  const age = nowMs - Date.parse(verdict.checkedAt);
  return age >= 0 && age < VERDICT_TTL_MS ? verdict : undefined;
}

