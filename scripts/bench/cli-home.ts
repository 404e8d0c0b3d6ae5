// The bench drives zilchboot through its CLI (`node dist/src/cli.js …` as child processes) in a
// temporary home and a temporary copy of recipes/ (whose lock it may change), so its figures are
// what a user gets, it never touches the checkout's .zilch/ or lock, and it does not depend on
// the internal API. The download, kernel and seed caches are the user's (ZILCHBOOT_DOWNLOADS,
// ZILCHBOOT_IMAGES as set): rebuilding a kernel is not what any figure here measures.
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath } from "node:url";
import { execa } from "execa";

/** The checkout this bench belongs to (this file runs as dist/scripts/bench/cli-home.js). */
export const checkout = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const CLI = path.join(checkout, "dist", "src", "cli.js");
/** Stages that exist only for the bench; copied into the temp recipes. */
const BENCH_STAGES = path.join(checkout, "scripts", "bench-stages");

export interface TimedLine {
  /** Milliseconds after the child was spawned, on the host clock. */
  atMs: number;
  stream: "stdout" | "stderr";
  text: string;
}

export interface CliRun {
  args: string[];
  exitCode: number;
  wallMs: number;
  lines: TimedLine[];
}

export class BenchHome {
  private readonly built = new Set<string>();

  private constructor(
    readonly root: string,
    private readonly log: (line: string) => void,
  ) {}

  /** A fresh temp dir holding home/ (ZILCHBOOT_HOME) and recipes/ (ZILCHBOOT_RECIPES). */
  static async create(log: (line: string) => void): Promise<BenchHome> {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), "zilchboot-bench-"));
    const home = new BenchHome(root, log);
    await fs.cp(path.join(checkout, "recipes"), home.recipes, { recursive: true });
    for (const stage of await fs.readdir(BENCH_STAGES)) {
      await fs.cp(path.join(BENCH_STAGES, stage), path.join(home.recipes, stage), { recursive: true });
    }
    await fs.mkdir(home.home, { recursive: true });
    return home;
  }

  get home(): string {
    return path.join(this.root, "home");
  }

  get recipes(): string {
    return path.join(this.root, "recipes");
  }

  /** A scratch file name inside the bench's temp dir. */
  file(name: string): string {
    return path.join(this.root, name);
  }

  /** Runs `zilchboot ARGS` and times it; throws with the last error lines when it fails. `home`
   *  runs it in another (empty) home with the same recipes; `env` adds variables. */
  async zilchboot(args: string[], opts: { home?: string; env?: Record<string, string> } = {}): Promise<CliRun> {
    const started = performance.now();
    const child = execa(process.execPath, [CLI, ...args], {
      cwd: checkout,
      env: { ZILCHBOOT_HOME: opts.home ?? this.home, ZILCHBOOT_RECIPES: this.recipes, ...opts.env },
      stdin: "ignore",
      buffer: false,
      reject: false,
    });
    const lines: TimedLine[] = [];
    const collect = (stream: TimedLine["stream"], source: NodeJS.ReadableStream | null) => new Promise<void>((resolve) => {
      if (!source) return resolve();
      const reader = readline.createInterface({ input: source, crlfDelay: Infinity });
      reader.on("line", (text) => lines.push({ atMs: performance.now() - started, stream, text }));
      reader.on("close", resolve);
    });
    const [result] = await Promise.all([child, collect("stdout", child.stdout), collect("stderr", child.stderr)]);
    const wallMs = performance.now() - started;
    const exitCode = result.exitCode ?? -1;
    if (exitCode !== 0) {
      const tail = lines.filter((l) => l.stream === "stderr").slice(-3).map((l) => l.text).join(" / ");
      throw new Error(`zilchboot ${args.join(" ")} exited ${exitCode}${result.signal ? ` (${result.signal})` : ""}: ${tail}`);
    }
    return { args, exitCode, wallMs, lines };
  }

  /**
   * `build STAGE`, forced, with a --json report: the CLI's wall time and the stage's own seconds
   * (the report's figure for the stage itself, without provisioning or Node start-up).
   */
  async forcedBuild(stage: string, extra: string[]): Promise<{ run: CliRun; stageSeconds: number }> {
    const report = this.file(`report-${process.pid}-${Date.now()}.json`);
    const run = await this.zilchboot(["build", stage, "--force", "--json", report, ...extra]);
    const stageSeconds = await reportedSeconds(report, stage);
    await fs.rm(report, { force: true });
    return { run, stageSeconds: Number.isFinite(stageSeconds) ? stageSeconds : run.wallMs / 1000 };
  }

  /** Builds STAGE and what it needs once, natively (set-up, not measured), unless done already. */
  async ensureBuilt(stage: string): Promise<void> {
    if (this.built.has(stage)) return;
    this.log(`set-up: building ${stage} and its inputs with --runner native in ${this.home}`);
    const run = await this.zilchboot(["build", stage, "--runner", "native"]);
    this.log(`set-up: ${stage} ready after ${(run.wallMs / 1000).toFixed(1)} s`);
    this.built.add(stage);
  }

  /** Rewrites a stage's `args` in the temp recipes (it changes the stage's input hash, not the real recipes). */
  async setStageArgs(stage: string, args: string[]): Promise<void> {
    const file = path.join(this.recipes, stage, "stage.json");
    const recipe = JSON.parse(await fs.readFile(file, "utf8")) as Record<string, unknown>;
    recipe.args = args;
    await fs.writeFile(file, JSON.stringify(recipe, null, 2) + "\n");
  }

  async dispose(keep: boolean): Promise<void> {
    if (keep) this.log(`kept ${this.root}`);
    else await fs.rm(this.root, { recursive: true, force: true });
  }
}

/** The stage's seconds from a `build --json` report, NaN when the report lacks it. */
async function reportedSeconds(report: string, stage: string): Promise<number> {
  try {
    const parsed = JSON.parse(await fs.readFile(report, "utf8")) as { stages?: Array<{ stage?: string; seconds?: number }> };
    const row = parsed.stages?.find((s) => s.stage === stage);
    return typeof row?.seconds === "number" ? row.seconds : NaN;
  } catch {
    return NaN;
  }
}

/** The first line (any stream) matching RE, with its host timestamp. */
export function findLine(run: CliRun, re: RegExp): { line: TimedLine; match: RegExpMatchArray } | undefined {
  for (const line of run.lines) {
    const match = line.text.match(re);
    if (match) return { line, match };
  }
  return undefined;
}
