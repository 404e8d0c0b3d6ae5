// The serial transport's cost: stage 1 rebuilt in QEMU with its shares over virtio-9p (QEMU's own
// -fsdev), over virtio-serial ports (our 9p server behind the pre-init's relays, what QEMU without
// virtfs gets, e.g. on Windows), and over virtio-serial with the shares kept in our server's memory
// on a simulated NTFS (`--share-fs foreign`, what `auto` means on Windows and macOS), alternating,
// under the same accelerator. Stage 1 reads ~10 MB of sources and writes ~4 MB through 9p with
// thousands of metadata round trips, so the ratios show what the extra hops cost a real stage.
import { emptyResult, type SectionContext, type SectionResult } from "./section.js";
import { figure, ratio, type Figure } from "./stats.js";

const STAGE = "1-stage1";
const VARIANTS = {
  "virtio-9p": { flags: ["--transport", "virtio-9p"], label: "virtio-9p" },
  serial: { flags: ["--transport", "serial"], label: "virtio-serial (unix socket)" },
  foreign: { flags: ["--share-fs", "foreign"], label: "virtio-serial, --share-fs foreign" },
} as const;
type Variant = keyof typeof VARIANTS;

export async function transportSection(ctx: SectionContext): Promise<SectionResult> {
  const result = emptyResult();
  const names = Object.keys(VARIANTS) as Variant[];
  const seconds = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<Variant, number[]>;
  const walls = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<Variant, number[]>;
  for (let i = 0; i < ctx.runs; i++) {
    for (const name of names) {
      const { run, stageSeconds } = await ctx.home.forcedBuild(STAGE, [...VARIANTS[name].flags]);
      ctx.log(`transport: ${STAGE} ${VARIANTS[name].flags.join(" ")} run ${i + 1}/${ctx.runs}: stage ${stageSeconds.toFixed(1)} s, CLI ${(run.wallMs / 1000).toFixed(1)} s`);
      seconds[name].push(stageSeconds);
      walls[name].push(run.wallMs / 1000);
    }
  }
  const side = (name: Variant): Figure => {
    const f = figure(`transport.${STAGE}.${name}`, `${STAGE} in QEMU, shares over ${VARIANTS[name].label}`, "s", seconds[name]);
    const cli = figure("", "", "s", walls[name]);
    f.note = `CLI wall ${cli.median.toFixed(1)} s (${cli.min.toFixed(1)}–${cli.max.toFixed(1)})`;
    return f;
  };
  const [virtio, serial, foreign] = names.map(side);
  result.figures.push(virtio, serial, foreign);
  result.ratios.push(ratio(`transport.${STAGE}.ratio`, `${STAGE} over virtio-serial / over virtio-9p`, serial, virtio));
  result.ratios.push(ratio(`transport.${STAGE}.foreign-ratio`, `${STAGE} with --share-fs foreign / over virtio-9p`, foreign, virtio));
  result.notes.push(`transport: each run is 'build ${STAGE} --force' with the variant's flags and the default --cpus, the variants alternating; the figure is the stage's seconds from the --json report`);
  return result;
}
