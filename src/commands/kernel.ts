// `zilchboot kernel [--arch x86_64|i386]`
import { parseArch } from "../arch.js";
import { str } from "../cli-options.js";
import { provideKernel } from "../provision.js";
import type { CommandContext } from "./context.js";
import { provisionOptions } from "./provision-flags.js";
import { noPositionals } from "./words.js";

export const help = `Builds vmlinux and bzImage (tinyconfig + vm/kernel/common.config + vm/kernel/ARCH.config) into
images/ (x86_64) or images/i386/, checking every requested option survived. Prints the image a VM
boots (x86_64: vmlinux via PVH; i386: bzImage) and the kernel's identity.
  --arch NAME      x86_64 (default) or i386 (for v86 and qemu-system-i386)`;

export async function run(ctx: CommandContext): Promise<void> {
  noPositionals(ctx, "kernel");
  const kernel = await provideKernel(undefined, provisionOptions(ctx), parseArch(str(ctx, "arch")));
  ctx.print(`${kernel.path}  ${JSON.stringify(kernel.identity)}`);
}
