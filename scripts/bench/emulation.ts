// The emulator's own cost: the same CPU-bound work (stage 1's tcc compiling tcc.c N times in one
// guest, scripts/bench-stages/9-tcc-compile) with --runner native and in QEMU (TCG or whatever
// accelerator the probe chose), 1 vCPU each. N is chosen so the native side runs several seconds,
// so per-run start-up does not matter and the figure is stable; boot and 9p are outside the timed
// loop, which is timed on the host between the two marker lines the guest prints.
import { findLine, type BenchHome } from "./cli-home.js";
import { emptyResult, type SectionContext, type SectionResult } from "./section.js";
import { figure, ratio } from "./stats.js";

const STAGE = "9-tcc-compile";
/** The native loop must take at least MIN; N is calibrated for TARGET (margin: calibration is noisy). */
const NATIVE_MIN_S = 3;
const NATIVE_TARGET_S = 5;
/** Calibration doubles its compile count until its own loop takes this long. */
const CALIBRATION_MIN_S = 1;

type Runner = "native" | "qemu";

interface LoopTime {
  /** Between the marker lines, host clock. */
  hostS: number;
  /** The same interval by the guest's /proc/uptime (the host's uptime under --runner native). */
  guestS: number;
  /** The whole stage as the build report states it (boot, unpack, loop, pack). */
  stageS: number;
}

async function timedLoop(home: BenchHome, runner: Runner, compiles: number): Promise<LoopTime> {
  await home.setStageArgs(STAGE, [String(compiles)]);
  const extra = ["--verbose", "--cpus", "1", ...(runner === "native" ? ["--runner", "native"] : ["--runner", "qemu"])];
  const { run, stageSeconds } = await home.forcedBuild(STAGE, extra);
  const start = findLine(run, /bench-compile: start, guest uptime ([\d.]+)/);
  const end = findLine(run, /bench-compile: (\d+) compiles done, guest uptime ([\d.]+)/);
  if (!start || !end) throw new Error(`${STAGE} (${runner}): the marker lines did not reach the CLI's --verbose output; did the console format change?`);
  if (Number(end.match[1]) !== compiles) throw new Error(`${STAGE} (${runner}): ran ${end.match[1]} compiles, asked for ${compiles}`);
  return {
    hostS: (end.line.atMs - start.line.atMs) / 1000,
    guestS: Number(end.match[2]) - Number(start.match[1]),
    stageS: stageSeconds,
  };
}

export async function emulationSection(ctx: SectionContext): Promise<SectionResult> {
  const result = emptyResult();
  await ctx.home.ensureBuilt("1-stage1");
  let compiles = ctx.compiles;
  if (compiles === undefined) {
    let probeCompiles = 8;
    let probe = await timedLoop(ctx.home, "native", probeCompiles);
    while (probe.hostS < CALIBRATION_MIN_S) {
      if (probeCompiles >= 4096) throw new Error(`emulation: ${probeCompiles} compiles took ${probe.hostS.toFixed(3)} s natively; the timing markers cannot be right`);
      probeCompiles *= 2;
      probe = await timedLoop(ctx.home, "native", probeCompiles);
    }
    const each = probe.hostS / probeCompiles;
    compiles = Math.ceil(NATIVE_TARGET_S / each);
    ctx.log(`emulation: ${each.toFixed(3)} s per compile natively (calibration, ${probeCompiles} compiles), so ${compiles} compiles per run`);
  }
  // Native and QEMU runs alternate, so a change of load during the bench touches both sides alike.
  const loops: Record<Runner, LoopTime[]> = { native: [], qemu: [] };
  for (let i = 0; i < ctx.runs; i++) {
    for (const runner of ["native", "qemu"] as const) {
      const loop = await timedLoop(ctx.home, runner, compiles);
      ctx.log(`emulation: ${runner} run ${i + 1}/${ctx.runs}: ${compiles} compiles in ${loop.hostS.toFixed(2)} s (guest clock ${loop.guestS.toFixed(2)} s; stage ${loop.stageS.toFixed(1)} s)`);
      loops[runner].push(loop);
    }
  }
  const native = figure("emulation.native", `${compiles}× tcc.c compile, native, 1 CPU`, "s", loops.native.map((l) => l.hostS));
  const qemu = figure("emulation.qemu", `${compiles}× tcc.c compile, QEMU, 1 vCPU`, "s", loops.qemu.map((l) => l.hostS));
  native.note = `${(native.median / compiles).toFixed(3)} s per compile`;
  qemu.note = `${(qemu.median / compiles).toFixed(3)} s per compile`;
  result.figures.push(native, qemu);
  if (native.median < NATIVE_MIN_S) result.notes.push(`emulation: the native loop took ${native.median.toFixed(2)} s, under ${NATIVE_MIN_S} s: too short to trust; rerun with a larger --compiles`);
  result.ratios.push(ratio("emulation.ratio", "emulation alone (tcc.c compiles, QEMU / native)", qemu, native));
  // The host clock times the loop; the guest's clock should agree (a guest clock that drifts under
  // TCG, or console lines held back on the way, would show here).
  for (const [runner, list] of Object.entries(loops)) {
    for (const loop of list) {
      const drift = Math.abs(loop.guestS - loop.hostS) / loop.hostS;
      if (drift > 0.05) result.notes.push(`emulation (${runner}): guest clock says ${loop.guestS.toFixed(2)} s for a loop the host timed at ${loop.hostS.toFixed(2)} s`);
    }
  }
  result.notes.push(`emulation: ${compiles} compiles per run, ${ctx.runs} runs per side, native and QEMU alternating; the loop is timed on the host between the guest's marker lines`);
  return result;
}
