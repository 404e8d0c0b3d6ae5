// Picks the fastest accelerator that really works here. /dev/kvm existing proves nothing (nested
// virtualisation can hang a KVM guest forever), so each candidate must boot a guest kernel to its
// panic within a timeout; verdicts are cached per QEMU binary, version and host kernel. Only
// successes are cached, for VERDICT_TTL_MS: a probe that failed once (a loaded host, a busy
// /dev/kvm) must not disable the accelerator until someone deletes the file. A success remembers
// the exact `-accel` string that booted (WHPX has variants, see accel-host.ts).
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import { writeJsonAtomic } from "../store/atomic-file.js";
import { accelVariants, defaultAccelHost, failureHint, hvfEntitlement, listedAccelerators, notProbedReason, type AccelHost, type Entitlement } from "./accel-host.js";
import { acceleratorFlags } from "./qemu-args.js";

export const TCG = "tcg,thread=multi";

/** A cached success is re-probed after a week (kernel, firmware or QEMU settings may change). */
export const VERDICT_TTL_MS = 7 * 24 * 60 * 60 * 1000;

export interface AccelVerdict {
  /** The exact `-accel` string tried: a variant such as `whpx,kernel-irqchip=off`. */
  accel: string;
  ok: boolean;
  ms: number;
  detail: string;
  /** False when a pre-check ruled it out without booting anything (Apple Silicon, a QEMU build
   *  without it); such verdicts are never cached either. */
  probed: boolean;
  /** What to do about a recognised failure (enable WHPX, sign QEMU for HVF). */
  hint?: string;
}

/** Hardware accelerators worth probing on this host, best first; TCG is always the fallback.
 *  macOS always gets hvf: chooseAccelerator says why it is not probed on Apple Silicon. */
export async function acceleratorCandidates(platform = process.platform): Promise<string[]> {
  if (platform === "linux") {
    const kvm = await fs.access("/dev/kvm", fs.constants.R_OK | fs.constants.W_OK).then(() => true, () => false);
    return kvm ? ["kvm"] : [];
  }
  if (platform === "darwin") return ["hvf"];
  if (platform === "win32") return ["whpx"];
  return [];
}

/** Why acceleratorCandidates found nothing to probe on this host, in words for `probe`. */
export async function noCandidateReason(platform = process.platform): Promise<string> {
  if (platform !== "linux") return `no hardware accelerator is known for ${platform}`;
  const exists = await fs.access("/dev/kvm").then(() => true, () => false);
  return exists ? "/dev/kvm is not readable and writable by this user (the kvm group?)" : "/dev/kvm does not exist (no KVM in this kernel, or a VM without nested virtualisation)";
}

/** Boots `kernel` with no root: a working accelerator reaches "Kernel panic" and QEMU exits (-no-reboot). */
export async function probeAccelerator(qemu: string, kernel: string, accel: string, timeoutMs: number): Promise<AccelVerdict> {
  return (await probeBoot(qemu, kernel, accel, timeoutMs)).verdict;
}

/** The probe boot, with its output kept for failureHint. The CPU flags are the boot's own
 *  (acceleratorFlags): whpx keeps QEMU's default model, as `-cpu host`/`max` break it. */
async function probeBoot(qemu: string, kernel: string, accel: string, timeoutMs: number): Promise<{ verdict: AccelVerdict; output: string }> {
  const started = performance.now();
  const child = execa(qemu, [
    ...acceleratorFlags(accel), "-M", "pc", "-m", "64", "-nodefaults", "-no-user-config", "-nic", "none",
    "-display", "none", "-serial", "stdio", "-no-reboot", "-kernel", kernel, "-append", "console=ttyS0 pci=noacpi panic=-1",
  ], { reject: false, stdin: "ignore", timeout: timeoutMs, killSignal: "SIGKILL", forceKillAfterDelay: false, all: true });
  const result = await child;
  const ms = Math.round(performance.now() - started);
  const output = String(result.all ?? "");
  const verdict = (ok: boolean, detail: string): { verdict: AccelVerdict; output: string } => ({ verdict: { accel, ok, ms, detail: `${accel}: ${detail}`, probed: true }, output });
  if (result.timedOut) return verdict(false, `probe boot hung for ${timeoutMs} ms, killed`);
  if (result.exitCode === 0 && output.includes("Kernel panic")) return verdict(true, `kernel booted in ${ms} ms`);
  const lines = output.split(/\r?\n/).map((line) => line.trim()).filter(Boolean);
  // Many of QEMU's refusals say neither "error" nor "fail" ("WHPX: No accelerator found",
  // "Property 'whpx-accel.kernel-irqchip' not found"): else the last line it printed.
  const status = result.signal ? `killed by ${result.signal}` : `exit ${result.exitCode}`;
  const why = lines.find((line) => KNOWN_FAILURE.test(line)) ?? lines.find((line) => /error|fail/i.test(line))
    ?? (lines.length > 0 ? `${lines.at(-1)} (${status})` : status);
  return verdict(false, why);
}

const KNOWN_FAILURE = /No accelerator found|injection failed|Unexpected VP exit code|HV_[A-Z]+|hv_vm_create/;

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
  /** Accelerators (`kvm`, `whpx`) or exact `-accel` strings, best first. */
  candidates: string[];
  probeTimeoutMs: number;
  log?: (line: string) => void;
  /** The clock verdicts expire by (default Date.now). */
  now?: () => number;
  /** Platform, CPU arch and codesign (default: this host's). */
  host?: AccelHost;
}

/** First candidate whose (cached or fresh) probe succeeds, else TCG. `accel` is the variant that
 *  worked (`whpx,kernel-irqchip=off`): the string QEMU's argv must use. */
export async function chooseAccelerator(opts: ChooseOptions): Promise<{ accel: string; verdicts: AccelVerdict[] }> {
  const file = path.join(opts.cacheDir, "accel-verdicts.json");
  const cached: VerdictFile = await fs.readFile(file, "utf8").then((text) => JSON.parse(text) as VerdictFile, () => ({}));
  const identity = await qemuIdentity(opts.qemu);
  const now = opts.now ?? Date.now;
  const host = opts.host ?? defaultAccelHost();
  let listing: Promise<Set<string> | undefined> | undefined;
  const listed = () => (listing ??= listedAccelerators(opts.qemu));
  const log = (line: string) => opts.log?.(line);
  const verdicts: AccelVerdict[] = [];
  for (const [i, candidate] of opts.candidates.entries()) {
    const name = candidate.split(",")[0];
    const variants = accelVariants(candidate);
    const fallback = opts.candidates[i + 1] ?? "TCG";
    const hit = usable(cached[`${identity}|${candidate}`], now(), variants);
    if (hit) {
      verdicts.push(hit);
      log(`accelerator ${hit.detail} (verdict cached in ${file})`);
      return { accel: hit.accel, verdicts };
    }
    const refusal = await notProbedReason(name, opts.qemu, host, listed);
    if (refusal) {
      verdicts.push({ accel: candidate, ok: false, ms: 0, probed: false, ...refusal });
      log(`accelerator ${refusal.detail}; using ${fallback}`);
      if (refusal.hint) log(`accelerator ${name}: ${refusal.hint}`);
      continue;
    }
    const entitlement = name === "hvf" ? await hvfEntitlement(opts.qemu, host) : undefined;
    const winner = await probeVariants(opts, variants, fallback, entitlement, verdicts);
    if (winner) cached[`${identity}|${candidate}`] = { ...winner, checkedAt: new Date(now()).toISOString() };
    else delete cached[`${identity}|${candidate}`];
    await fs.mkdir(path.dirname(file), { recursive: true });
    await writeJsonAtomic(file, cached);
    if (winner) return { accel: winner.accel, verdicts };
  }
  return { accel: TCG, verdicts };
}

/** Boots each variant in turn until one works; a failure whose cause is the host (WHPX turned
 *  off, QEMU unsigned) ends the list, as every variant would fail the same way. */
async function probeVariants(opts: ChooseOptions, variants: string[], fallback: string, entitlement: Entitlement | undefined, verdicts: AccelVerdict[]): Promise<AccelVerdict | undefined> {
  for (const [i, variant] of variants.entries()) {
    opts.log?.(`probing accelerator ${variant} (timeout ${opts.probeTimeoutMs} ms)`);
    const { verdict, output } = await probeBoot(opts.qemu, opts.kernel, variant, opts.probeTimeoutMs);
    const known = verdict.ok ? undefined : await failureHint(variant, output, { qemu: opts.qemu, entitlement, cacheDir: opts.cacheDir });
    if (known) verdict.hint = known.hint;
    verdicts.push(verdict);
    const next = known?.hostWide ? fallback : (variants[i + 1] ?? fallback);
    opts.log?.(`accelerator ${verdict.detail}${verdict.ok ? "" : `; using ${next}`}`);
    if (known) opts.log?.(`accelerator ${variant.split(",")[0]}: ${known.hint}`);
    if (verdict.ok) return verdict;
    if (known?.hostWide) return undefined;
  }
  return undefined;
}

/** A cached verdict still to be trusted: a success younger than VERDICT_TTL_MS for one of the
 *  candidate's current variants (files written before verdicts expired may hold failures and lack
 *  checkedAt, older ones lack `probed`: failures are ignored, the rest normalised). */
function usable(verdict: (Omit<AccelVerdict, "probed"> & { checkedAt?: string }) | undefined, nowMs: number, variants: string[]): AccelVerdict | undefined {
  if (!verdict?.ok || verdict.checkedAt === undefined || !variants.includes(verdict.accel)) return undefined;
  const age = nowMs - Date.parse(verdict.checkedAt);
  if (!(age >= 0 && age < VERDICT_TTL_MS)) return undefined;
  return { accel: verdict.accel, ok: true, ms: verdict.ms, detail: verdict.detail, probed: true };
}
