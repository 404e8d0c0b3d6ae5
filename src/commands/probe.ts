// `zilchboot probe`: which accelerator QEMU gets here, and whether v86 can run.
import { GUEST_ARCHES } from "../arch.js";
import { str } from "../cli-options.js";
import { cacheDir } from "../paths.js";
import { provideKernel } from "../provision.js";
import { QemuBackend } from "../vm/qemu.js";
import { hostExecutes } from "../vm/host-exec.js";
import { describeTransport } from "../vm/share-transport.js";
import { V86Backend } from "../vm/v86.js";
import type { CommandContext } from "./context.js";
import { provisionOptions } from "./provision-flags.js";
import { accelFlag, fileFlag } from "./vm-values.js";
import { noPositionals } from "./words.js";

export const help = `Boots the guest kernel once per hardware accelerator candidate with a timeout; prints the verdict,
how guests get their shares (virtio-9p when QEMU has it, else 9p over virtio-serial ports), and
on Linux which guest arches' programs this host's kernel executes (what --runner native can build).
  --accel NAME     check this accelerator only (boot-tested; fails if it does not work here)
  --kernel FILE    the kernel to probe with (default: the cached build)
  --qemu BIN       qemu-system-x86_64 binary to use`;

export async function run(ctx: CommandContext): Promise<void> {
  noPositionals(ctx, "probe");
  const accel = accelFlag(ctx);
  const kernel = await provideKernel(fileFlag(ctx, "kernel", "a guest kernel (vmlinux from 'zilchboot kernel')"), provisionOptions(ctx));
  const backend = new QemuBackend({ binary: str(ctx, "qemu"), accel, verifyAccel: true, probeKernel: kernel.path, cacheDir: cacheDir(), log: ctx.log });
  const result = await backend.probe();
  ctx.print(result.usable ? `qemu: ${result.detail}${result.fellBack ? ` (no hardware accelerator: ${result.fellBack})` : ""}` : `qemu unusable: ${result.detail}`);
  if (result.usable) ctx.print(`qemu shares: ${describeTransport(await backend.shareTransport())} (--transport auto)`);
  const v86 = await new V86Backend().probe();
  ctx.print(v86.usable ? `v86: ${v86.detail}` : `v86 unusable: ${v86.detail}`);
  // What `--runner native` can build here: it runs a stage's programs on this host's kernel.
  if (process.platform !== "linux") return;
  for (const arch of GUEST_ARCHES) {
    const verdict = await hostExecutes(arch, cacheDir());
    const cached = verdict.cached ? " (verdict cached)" : "";
    ctx.print(verdict.runs
      ? `native ${arch}: yes, ${verdict.detail}${cached}`
      : `native ${arch}: no, ${verdict.detail}${cached}; --runner native refuses ${arch} stages (the ${arch} VM builds them)`);
  }
}
