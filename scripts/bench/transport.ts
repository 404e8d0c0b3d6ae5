// The serial transport's cost: stage 1 rebuilt in QEMU with its shares over virtio-9p (QEMU's own
// -fsdev) and over virtio-serial ports (our 9p server behind the pre-init's relays, what QEMU
// without virtfs gets, e.g. on Windows), alternating, under the same accelerator. Stage 1 reads
// ~10 MB of sources and writes ~4 MB through 9p with thousands of metadata round trips, so the
// ratio shows what the extra hops cost a real stage, not a file copy.
import { emptyResult, type SectionContext, type SectionResult } from "./section.js";
import { figure, ratio, type Figure } from "./stats.js";

const STAGE = "1-stage1";
const TRANSPORTS = ["virtio-9p", "serial"] as const;

export async function transportSection(ctx: SectionContext): Promise<SectionResult> {
  const result = emptyResult();
  const seconds: Record<(typeof TRANSPORTS)[number], number[]> = { "virtio-9p": [], serial: [] };
  const walls: Record<(typeof TRANSPORTS)[number], number[]> = { "virtio-9p": [], serial: [] };
  for (let i = 0; i < ctx.runs; i++) {
    for (const transport of TRANSPORTS) {
      const { run, stageSeconds } = await ctx.home.forcedBuild(STAGE, ["--transport", transport]);
      ctx.log(`transport: ${STAGE} over ${transport} run ${i + 1}/${ctx.runs}: stage ${stageSeconds.toFixed(1)} s, CLI ${(run.wallMs / 1000).toFixed(1)} s`);
      seconds[transport].push(stageSeconds);
      walls[transport].push(run.wallMs / 1000);
    }
  }
  const side = (transport: (typeof TRANSPORTS)[number]): Figure => {
    const f = figure(`transport.${STAGE}.${transport}`, `${STAGE} in QEMU, shares over ${transport === "serial" ? "virtio-serial (unix socket)" : "virtio-9p"}`, "s", seconds[transport]);
    const cli = figure("", "", "s", walls[transport]);
    f.note = `CLI wall ${cli.median.toFixed(1)} s (${cli.min.toFixed(1)}–${cli.max.toFixed(1)})`;
    return f;
  };
  const virtio = side("virtio-9p");
  const serial = side("serial");
  result.figures.push(virtio, serial);
  result.ratios.push(ratio(`transport.${STAGE}.ratio`, `${STAGE} over virtio-serial / over virtio-9p`, serial, virtio));
  result.notes.push(`transport: each run is 'build ${STAGE} --force --transport T' with the default --cpus, the two transports alternating; the figure is the stage's seconds from the --json report`);
  return result;
}
