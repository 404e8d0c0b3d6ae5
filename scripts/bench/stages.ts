// A real stage in the VM against the same stage on the native runner (namespaces + chroot on the
// host kernel, the physical limit): stage 1 and 2a0, each rebuilt with --force in the bench's
// home. Set next to the emulation ratio, this ratio shows what boot, 9p and our protocol add on
// top of the emulator.
import { emptyResult, type SectionContext, type SectionResult } from "./section.js";
import { figure, ratio, type Figure } from "./stats.js";

const STAGES = ["1-stage1", "2a0-make"];

export async function stagesSection(ctx: SectionContext): Promise<SectionResult> {
  const result = emptyResult();
  // 2a0 needs stage 1 in the store; both are then forced, one at a time.
  await ctx.home.ensureBuilt("2a0-make");
  for (const stage of STAGES) {
    const seconds: Record<"native" | "qemu", number[]> = { native: [], qemu: [] };
    const walls: Record<"native" | "qemu", number[]> = { native: [], qemu: [] };
    for (let i = 0; i < ctx.runs; i++) {
      for (const runner of ["native", "qemu"] as const) {
        const { run, stageSeconds } = await ctx.home.forcedBuild(stage, ["--runner", runner]);
        ctx.log(`stages: ${stage} ${runner} run ${i + 1}/${ctx.runs}: stage ${stageSeconds.toFixed(1)} s, CLI ${(run.wallMs / 1000).toFixed(1)} s`);
        seconds[runner].push(stageSeconds);
        walls[runner].push(run.wallMs / 1000);
      }
    }
    const side = (runner: "native" | "qemu"): Figure => {
      const f = figure(`stages.${stage}.${runner}`, `${stage}, ${runner === "native" ? "native runner" : "in QEMU"}`, "s", seconds[runner]);
      const cli = figure("", "", "s", walls[runner]);
      f.note = `CLI wall ${cli.median.toFixed(1)} s (${cli.min.toFixed(1)}–${cli.max.toFixed(1)})`;
      return f;
    };
    const native = side("native");
    const qemu = side("qemu");
    result.figures.push(native, qemu);
    result.ratios.push(ratio(`stages.${stage}.ratio`, `${stage} in the VM / native (emulation + boot + 9p + protocol)`, qemu, native));
  }
  result.notes.push(`stages: each run is 'build STAGE --force' with the default --cpus (host cores); the figure is the stage's seconds from the --json report, native and QEMU alternating`);
  return result;
}
