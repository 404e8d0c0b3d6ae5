// `zilchboot probe`: which accelerator QEMU gets here, and whether v86 can run.
import { str } from "../cli-options.js";
import { cacheDir } from "../paths.js";
import { provideKernel } from "../provision.js";
import { QemuBackend } from "../vm/qemu.js";
import { describeTransport } from "../vm/share-transport.js";
import { V86Backend } from "../vm/v86.js";
import type { CommandContext } from "./context.js";
import { provisionOptions } from "./provision-flags.js";
import { noPositionals } from "./words.js";

export const help = `Boots the guest kernel once per hardware accelerator candidate with a timeout; prints the verdict,
and how guests get their shares (virtio-9p when QEMU has it, else 9p over virtio-serial ports).
  --accel NAME     check this accelerator only (boot-tested; fails if it does not work here)
  --kernel FILE    the kernel to probe with (default: the cached build)
  --qemu BIN       qemu-system-x86_64 binary to use`;

export async function run(ctx: CommandContext): Promise<void> {
  noPositionals(ctx, "probe");
  const kernel = await provideKernel(str(ctx, "kernel"), provisionOptions(ctx));
  const backend = new QemuBackend({ binary: str(ctx, "qemu"), accel: str(ctx, "accel"), verifyAccel: true, probeKernel: kernel.path, cacheDir: cacheDir(), log: ctx.log });
  const result = await backend.probe();
  ctx.print(result.usable ? `qemu: ${result.detail}` : `qemu unusable: ${result.detail}`);
  if (result.usable) ctx.print(`qemu shares: ${describeTransport(await backend.shareTransport())} (--transport auto)`);
  const v86 = await new V86Backend().probe();
  ctx.print(v86.usable ? `v86: ${v86.detail}` : `v86 unusable: ${v86.detail}`);
}
