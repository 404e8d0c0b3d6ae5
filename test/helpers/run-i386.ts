// Runs an i386 Linux program whatever the host kernel can do: under Debian's qemu-user
// (`qemu-i386`, installed by scripts/setup-host.sh), which translates its instructions and system
// calls, so a host without IA32 emulation runs it as well as one with. Tests that must execute
// i386 code use this, never the host kernel, so that they make the same claim on every host.
import fs from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import { PROBE_STATUS, probeProgram } from "../../src/vm/host-exec.js";

export const QEMU_I386 = "qemu-i386";

/** stdout and stderr together, and the exit status; fails the test clearly when qemu-i386 is missing. */
export async function runI386(file: string, args: string[] = []): Promise<{ exitCode: number | undefined; output: string }> {
  const result = await execa(QEMU_I386, [file, ...args], { reject: false, all: true, stdin: "ignore", timeout: 60_000 });
  if (result.code === "ENOENT") throw new Error(`${QEMU_I386} not found: install qemu-user (scripts/setup-host.sh --test-extras does) to run i386 programs in tests`);
  return { exitCode: result.exitCode, output: String(result.all ?? "") };
}

/** Whether this host's kernel itself runs an i386 program, asked without zilchboot's probe code:
 *  the shell's own exec of the probe's bytes (the ground truth the probe's verdict must match). */
export async function kernelRunsI386(dir: string): Promise<boolean> {
  const file = path.join(dir, "i386-exit-42");
  await fs.writeFile(file, probeProgram("i386"), { mode: 0o755 });
  const run = await execa("sh", ["-c", `exec "$0" 2>/dev/null; exit 99`, file], { reject: false, stdin: "ignore" });
  return run.exitCode === PROBE_STATUS;
}
