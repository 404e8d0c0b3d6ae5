// What the checkout would feed each builder today, in the words kit-lock.json records them. A lock
// entry whose inputs differ is stale: its bytes are not what this checkout's recipe makes.
import type { GuestArch } from "../arch.js";
import { KERNEL_BUILDER_VERSION } from "../kernel/builder-version.js";
import { sha256Hex } from "../sha256.js";
import type { ArtefactKind } from "./kit-lock.js";

/** The seed depends on the tinycc pin (the compiler and commands are the host's part: `host`). */
export function seedInputs(tinyccSha256: string): Record<string, string> {
  return { tinyccSha256 };
}

/** The kernel depends on the linux pin, the merged fragments and the builder's steps: exactly its
 *  build-cache key (build-kernel.ts), spelled out. */
export function kernelInputs(linux: { sha256: string; version: string }, fragmentTexts: string[]): Record<string, string> {
  return { linuxSha256: linux.sha256, linuxVersion: linux.version, fragmentSha256: sha256Hex(fragmentTexts.join("")), builder: KERNEL_BUILDER_VERSION };
}

/** Reads the checkout's inputs for one artefact (provision.ts binds it to recipes/ and vm/). */
export type CurrentInputs = (kind: ArtefactKind, arch: GuestArch) => Promise<Record<string, string>>;

const WHAT: Record<string, string> = {
  tinyccSha256: "the tinycc pin (recipes/sources.json)",
  linuxSha256: "the linux pin (recipes/sources.json)",
  linuxVersion: "the linux pin's version",
  fragmentSha256: "the kernel config fragments (vm/kernel/*.config)",
  builder: "the kernel builder (KERNEL_BUILDER_VERSION)",
};

/** Why a lock entry's inputs are not the checkout's: one phrase per differing input. */
export function staleReasons(locked: Record<string, string>, current: Record<string, string>): string[] {
  const reasons: string[] = [];
  for (const key of new Set([...Object.keys(current), ...Object.keys(locked)])) {
    if (locked[key] === current[key]) continue;
    const show = (value: string | undefined) => (value === undefined ? "nothing" : /^[0-9a-f]{64}$/.test(value) ? `${value.slice(0, 12)}…` : JSON.stringify(value));
    reasons.push(`${WHAT[key] ?? key}: now ${show(current[key])}, locked from ${show(locked[key])}`);
  }
  return reasons;
}
