// `zilchboot ddc`: the diverse double-compile verdict.
import path from "node:path";
import { ZilchError } from "../errors.js";
import { HEARTBEAT_MS, Progress } from "../progress.js";
import { buildTarget } from "../stages/chain.js";
import { DDC_STAGE, DDC_TCC, REFERENCE_STAGE, REFERENCE_TCC, ddcVerdict, describeVerdict } from "../stages/ddc.js";
import type { StoreEntry } from "../store/store.js";
import { entryTree } from "../store/store-mode.js";
import type { CommandContext } from "./context.js";
import { VM_HELP, progressHooks, sessionFromFlags } from "./vm-flags.js";
import { noPositionals } from "./words.js";

export const help = `Builds ${REFERENCE_STAGE} (x86_64 seed, x86_64 guest), 1-stage1-i386 (i386 seed: an i386 tcc fixpoint) and
${DDC_STAGE} (i386 guest: that tcc builds an i386-hosted tcc targeting x86_64 from the same tinycc source, which
builds x86_64 libtcc1, protomusl and tcc as a stage-1 pass does), each cached in the store; then compares
the two x86_64 tcc binaries byte for byte, prints both sha256s and the verdict, and exits 1 if they differ
(naming the first differing byte). i386 stages run under qemu-system-i386.
${VM_HELP}`;

export async function run(ctx: CommandContext): Promise<void> {
  noPositionals(ctx, "ddc");
  const progress = new Progress(process.stderr, ctx.tty && !ctx.verbose, !ctx.tty && !ctx.verbose ? HEARTBEAT_MS : 0);
  let reference: StoreEntry, ddc: StoreEntry;
  try {
    const session = await sessionFromFlags(ctx, progress);
    // The DDC stage first: it has the reference among its inputs, so a stage that cannot run here
    // (an i386 one under --runner native on a kernel without IA32 emulation) is refused before
    // anything is built; the reference is then taken from the store.
    ddc = await buildTarget(session, DDC_STAGE, progressHooks(progress, session));
    reference = await buildTarget(session, REFERENCE_STAGE, progressHooks(progress, session));
  } finally {
    progress.stopLive();
  }
  for (const line of progress.summary()) ctx.log(line);
  // The verdict compares two files on the host: both entries must be directories.
  const ddcDir = entryTree(ddc, "zilchboot ddc");
  const referenceDir = entryTree(reference, "zilchboot ddc");
  const verdict = await ddcVerdict(ddcDir, referenceDir);
  for (const line of describeVerdict(verdict)) ctx.print(line);
  if (!verdict.identical) {
    throw new ZilchError({
      code: "STAGE",
      message: `diverse double-compile failed: the x86_64 tcc built from the i386 seed differs from ${REFERENCE_STAGE}'s at byte offset ${verdict.firstDifference}`,
      hint: `compare ${path.join(ddcDir, DDC_TCC)} with ${path.join(referenceDir, REFERENCE_TCC)} (cmp -l); the 1-ddc log says which parts differ`,
    });
  }
}
