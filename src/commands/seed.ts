// `zilchboot seed [--arch x86_64|i386] [--seed FILE]`
import { parseArch } from "../arch.js";
import { str } from "../cli-options.js";
import { provideSeed } from "../provision.js";
import type { CommandContext } from "./context.js";
import { provisionOptions } from "./provision-flags.js";
import { fileFlag } from "./vm-values.js";
import { noPositionals } from "./words.js";

export const help = `Builds a static x86_64 tcc with the host's musl-gcc (cc -static as fallback) into images/tcc-seed,
or with --arch i386 a static i386 tcc with i386-linux-musl-gcc (Debian's musl-dev:i386) into
images/i386/tcc-seed. With --seed FILE, validates that file instead (ELF64 x86_64 or ELF32 i386,
ET_EXEC, no PT_INTERP).`;

export async function run(ctx: CommandContext): Promise<void> {
  noPositionals(ctx, "seed");
  const arch = parseArch(str(ctx, "arch"));
  const seed = await provideSeed(fileFlag(ctx, "seed", "a static tcc to check"), provisionOptions(ctx), arch);
  ctx.print(`${seed.sha256}  ${seed.path}`);
}
