// Boot latencies, the speed checks that used to be wall-clock assertions in tests: QEMU start →
// PID 1's first output (0-smoke, 1 and 2 vCPUs), the same under v86 (0-smoke-i386), `zilchboot
// probe` with its verdict cached, and the accelerator choice itself, fresh and cached.
import path from "node:path";
import { checkout, findLine, type BenchHome } from "./cli-home.js";
import { timeAcceleratorChoice } from "./internals.js";
import { emptyResult, type SectionContext, type SectionResult } from "./section.js";
import { figure, type Figure } from "./stats.js";

/** The build log line that carries the boot figure (commands.ts, onStageDone). */
const PID1_LINE = /PID 1 output after (\d+) ms/;

async function smokeBoots(home: BenchHome, id: string, label: string, stage: string, extra: string[], runs: number): Promise<Figure[]> {
  await home.zilchboot(["build", stage, ...extra]);
  const pid1: number[] = [];
  const stageSeconds: number[] = [];
  for (let i = 0; i < runs; i++) {
    const { run, stageSeconds: s } = await home.forcedBuild(stage, extra);
    const found = findLine(run, PID1_LINE);
    if (found) pid1.push(Number(found.match[1]));
    stageSeconds.push(s);
  }
  const figures = [figure(`${id}.stage`, `${label}: whole stage`, "s", stageSeconds)];
  if (pid1.length > 0) figures.unshift(figure(`${id}.pid1`, `${label}: start → PID 1 output`, "ms", pid1));
  else figures[0].note = "the CLI no longer prints 'PID 1 output after N ms'";
  return figures;
}

export async function bootSection(ctx: SectionContext): Promise<SectionResult> {
  const result = emptyResult();
  const runs = ctx.cliRuns;
  for (const cpus of [1, 2]) {
    result.figures.push(...await smokeBoots(ctx.home, `boot.qemu.${cpus}cpu`, `QEMU, 0-smoke, ${cpus} vCPU`, "0-smoke", ["--runner", "qemu", "--cpus", String(cpus)], runs));
  }
  try {
    result.figures.push(...await smokeBoots(ctx.home, "boot.v86", "v86, 0-smoke-i386", "0-smoke-i386", ["--backend", "v86"], runs));
  } catch (error) {
    result.notes.push(`boot: v86 not measured: ${(error as Error).message}`);
  }
  await ctx.home.zilchboot(["probe"]);
  const probes: number[] = [];
  for (let i = 0; i < runs; i++) probes.push((await ctx.home.zilchboot(["probe"])).wallMs / 1000);
  result.figures.push(figure("boot.probe", "zilchboot probe (verdict cached)", "s", probes));
  const kernel = path.join(process.env.ZILCHBOOT_IMAGES ?? path.join(checkout, "images"), "vmlinux");
  const accel = await timeAcceleratorChoice(kernel, runs);
  result.figures.push(
    figure("boot.accel.fresh", `accelerator choice, fresh (probing ${accel.candidates.join(", ") || "nothing: no hardware accelerator here"} → ${accel.accel})`, "ms", [accel.freshMs], "one sample: one fresh probe per bench run"),
    figure("boot.accel.cached", "accelerator choice, verdict cached", "ms", accel.cachedMs),
  );
  result.notes.push(`boot: ${runs} forced builds each after one untimed build; PID 1 figures are the CLI's own 'PID 1 output after N ms'`);
  return result;
}
