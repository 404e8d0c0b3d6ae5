// How long the CLI takes when it has nothing to build: --help (Node start-up and module loading),
// plan, and a no-op build of the fully cached chain (hashing inputs, checking the store). Goal: the
// no-op build ≤ 0.5 s wall on this machine. Each command runs once untimed first (cold page cache).
import type { BenchHome } from "./cli-home.js";
import { emptyResult, type SectionContext, type SectionResult } from "./section.js";
import { figure, goal } from "./stats.js";

const NOOP_GOAL_S = 0.5;

async function timeCommand(home: BenchHome, args: string[], runs: number, check?: (stdout: string) => string | undefined): Promise<number[]> {
  await home.zilchboot(args);
  const seconds: number[] = [];
  for (let i = 0; i < runs; i++) {
    const run = await home.zilchboot(args);
    const problem = check?.(run.lines.map((l) => l.text).join("\n"));
    if (problem) throw new Error(`zilchboot ${args.join(" ")}: ${problem}`);
    seconds.push(run.wallMs / 1000);
  }
  return seconds;
}

/** A no-op build must not build: every stage in its output is reported cached. */
function allCached(output: string): string | undefined {
  return /\bbuilt in\b/.test(output) ? "built something; the no-op figure would be wrong" : undefined;
}

export async function cliSection(ctx: SectionContext): Promise<SectionResult> {
  const result = emptyResult();
  await ctx.home.ensureBuilt(ctx.target);
  const help = figure("cli.help", "zilchboot --help", "s", await timeCommand(ctx.home, ["--help"], ctx.cliRuns));
  const plan = figure("cli.plan", `zilchboot plan ${ctx.target}`, "s", await timeCommand(ctx.home, ["plan", ctx.target], ctx.cliRuns));
  const noop1 = figure("cli.noop.1-stage1", "no-op build 1-stage1 (cached)", "s", await timeCommand(ctx.home, ["build", "1-stage1"], ctx.cliRuns, allCached));
  const noop = figure("cli.noop.chain", `no-op build ${ctx.target} (whole chain cached)`, "s", await timeCommand(ctx.home, ["build", ctx.target], ctx.cliRuns, allCached));
  result.figures.push(help, plan, noop1, noop);
  result.goals.push(goal("cli.noop.goal", `no-op build of the cached chain (${ctx.target}) ≤ ${NOOP_GOAL_S} s wall`, noop, NOOP_GOAL_S));
  result.notes.push(`cli: wall time of 'node dist/src/cli.js …' child processes, ${ctx.cliRuns} runs each after one untimed run; stages in the store were built with --runner native`);
  return result;
}
