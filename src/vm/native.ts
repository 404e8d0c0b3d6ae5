// The native runner (`--runner native`, Linux only): the same stage share, run directly on the host
// in a mount + network namespace and a chroot, with the same empty environment. WEAKER isolation
// than the VM (the host kernel, no VM boundary): for benchmarks and quick iteration, not for
// trusted builds. It is the "physical limit" the VM is measured against.
import { execa } from "execa";
import { ZilchError } from "../errors.js";
import type { BootSpec, ProbeResult, VmBackend, VmRun } from "./backend.js";
import { ConsoleLog } from "./console-log.js";
import { directCommand } from "./guest-protocol.js";

// Runs inside `unshare --user --mount --net --pid`: a read-only view of the share, then the
// writable places and the few device nodes programs expect.
const NAMESPACE_SCRIPT = `set -e
root=$1; out=$2; scratch=$3; shift 3
mount --bind "$root" "$root"; mount -o remount,bind,ro "$root"
if [ -n "$scratch" ]; then mount --bind "$scratch" "$root/tmp"; else mount -t tmpfs -o mode=1777 tmp "$root/tmp"; fi
mount --bind "$out" "$root/out"
mount -t proc proc "$root/proc"
mount -t tmpfs -o mode=755 dev "$root/dev"
for dev in null zero full random urandom; do
  [ -c "/dev/$dev" ] || { echo "native runner: the host's /dev/$dev is not a character device (a root process replaced it); recreate it, e.g. mknod -m 666 /dev/$dev c 1 N" >&2; exit 125; }
  touch "$root/dev/$dev"; mount --bind "/dev/$dev" "$root/dev/$dev"
done
exec env -i "$@"`;

/** `env -i` leaves no PATH, so chroot must be named by its absolute path. */
async function chrootBinary(): Promise<string> {
  const found = await execa("sh", ["-c", "command -v chroot"], { reject: false });
  if (found.exitCode !== 0) throw new ZilchError({ code: "HOST", message: "chroot not found on this host", hint: "install coreutils" });
  return found.stdout.trim();
}

export class NativeBackend implements VmBackend {
  readonly name = "native";

  async probe(): Promise<ProbeResult> {
    if (process.platform !== "linux") return { usable: false, detail: "the native runner needs Linux namespaces" };
    const result = await execa("unshare", ["--user", "--map-root-user", "--mount", "--net", "true"], { reject: false });
    return result.exitCode === 0 ? { usable: true, detail: "unshare (mount + net namespaces, chroot)" } : { usable: false, detail: `unshare failed: ${result.stderr.trim()}` };
  }

  async boot(spec: BootSpec, signal?: AbortSignal): Promise<VmRun> {
    const probe = await this.probe();
    if (!probe.usable) throw new ZilchError({ code: "VM", message: `native runner unavailable: ${probe.detail}`, hint: "use the default QEMU runner" });
    if (!spec.outDir) throw new ZilchError({ code: "VM", message: "native runner needs an output directory", hint: "internal error" });
    const { env, argv } = directCommand(spec);
    const started = performance.now();
    let initOutputMs: number | null = null;
    const consoleLog = new ConsoleLog(spec.consoleLog, (line) => {
      initOutputMs ??= Math.round(performance.now() - started);
      spec.onConsoleLine?.(line);
    });
    // --kill-child: killing unshare (stop, timeout) must kill the namespace's init too, whose death
    // takes every other process of the namespace with it; without it a stopped build runs on.
    const child = execa("unshare", ["--user", "--map-root-user", "--mount", "--net", "--pid", "--fork", "--kill-child", "sh", "-c", NAMESPACE_SCRIPT, "sh", spec.rootDir, spec.outDir, spec.scratchDir ?? "", ...env, await chrootBinary(), spec.rootDir, ...argv], {
      reject: false, stdin: "ignore", all: true, buffer: false, cancelSignal: signal, timeout: spec.timeoutMs, killSignal: "SIGKILL", forceKillAfterDelay: false, extendEnv: false, env: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
    });
    child.all?.on("data", (chunk: Buffer) => consoleLog.write(chunk));
    const result = await child;
    await consoleLog.close();
    const outcome = result.timedOut ? ({ kind: "timeout" } as const)
      : result.exitCode !== undefined ? ({ kind: "status", status: result.exitCode } as const)
      : ({ kind: "backend-error", detail: `killed by ${result.signal ?? "a signal"}` } as const);
    return { outcome, firstOutputMs: initOutputMs, initOutputMs, durationMs: Math.round(performance.now() - started), consoleTail: consoleLog.tail(), engine: "native (namespaces, not a VM)" };
  }
}
