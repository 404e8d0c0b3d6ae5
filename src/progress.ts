// What a build shows while it runs: on a TTY one live line per running stage (name, elapsed time,
// last console line), off a TTY plain lines; then a summary table and, with --json, a report file
// (written for failed runs too, with the error).
import { writeJsonAtomic } from "./store/atomic-file.js";
import type { StepReport } from "./stages/chain.js";
import { alignColumns } from "./text-table.js";

export interface StageReport {
  stage: string;
  action: "cached" | "pulled" | "built" | "verified";
  /** The stage's own time: for a build its run (as its record keeps it), else the step's. */
  seconds: number;
  /** The whole step, with providing the kernel, seed and sources and storing the output. */
  stepSeconds: number;
  inputHash: string;
  outputSha256: string;
  outputBytes: number;
  outputFiles: number;
  engine: string | null;
  log: string | null;
  /** With a shared cache: what it did for the stage ("not in the cache", "ignored: …", "pulled",
   *  "pushed", "failed to …"); absent without one. */
  cache?: string[];
}

/** Off a TTY, how often a running stage says it still runs. */
export const HEARTBEAT_MS = 5 * 60_000;

export class Progress {
  private readonly rows: StageReport[] = [];
  private readonly skippedRows: { stage: string; reason: string }[] = [];
  private running: { stage: string; started: number; last: string } | null = null;
  private timer: NodeJS.Timeout | null = null;

  /** `heartbeatMs`: off a TTY (no live line), a line every so often while a stage runs, so a long
   *  quiet phase (a kernel build, a big link) does not look hung in a CI log; 0 for none. */
  constructor(
    private readonly out: Pick<NodeJS.WriteStream, "write"> & { columns?: number },
    private readonly live: boolean,
    private readonly heartbeatMs = 0,
  ) {}

  start(stage: string): void {
    this.running = { stage, started: performance.now(), last: "" };
    if (this.live) this.timer = setInterval(() => this.redraw(), 500);
    else if (this.heartbeatMs > 0) this.timer = setInterval(() => this.heartbeat(), this.heartbeatMs);
  }

  /** `log` that never writes into the live line: the line is cleared first and drawn again after. */
  around(log: (line: string) => void): (line: string) => void {
    return (line) => {
      const drawn = this.live && this.running !== null;
      if (drawn) this.out.write("\r\x1b[2K");
      log(line);
      if (drawn) this.redraw();
    };
  }

  private heartbeat(): void {
    if (!this.running) return;
    const minutes = Math.round((performance.now() - this.running.started) / 60_000);
    this.out.write(`${this.running.stage}: still running after ${minutes} min${this.running.last ? ` (last console line: ${this.running.last})` : ""}\n`);
  }

  consoleLine(line: string): void {
    if (this.running && line.trim()) this.running.last = line.trim();
  }

  /** A stage the plan found not needed (never started). */
  skipped(stage: string, reason: string): void {
    this.skippedRows.push({ stage, reason });
  }

  done(stage: string, result: StepReport, seconds: number, cache?: string[]): void {
    this.stopLive();
    const r = result.record;
    this.rows.push({
      stage,
      action: result.pulled ? "pulled" : result.cached ? "cached" : result.entry ? "built" : "verified",
      seconds: Math.round((result.run ? r.wallMs / 1000 : seconds) * 10) / 10,
      stepSeconds: Math.round(seconds * 10) / 10,
      inputHash: r.inputHash,
      outputSha256: r.outputSha256,
      outputBytes: r.outputBytes,
      outputFiles: r.outputFiles,
      engine: result.run?.engine ?? null,
      log: result.logFile,
      ...(cache ? { cache } : {}),
    });
  }

  /** Ends the live line (e.g. on failure) so error messages start on a clean line. */
  stopLive(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.live && this.running) this.out.write("\r\x1b[2K");
    this.running = null;
  }

  summary(): string[] {
    const header = ["stage", "result", "wall", "output", "sha256"];
    const body = this.rows.map((r) => [r.stage, r.action, `${r.seconds.toFixed(1)}s`, formatBytes(r.outputBytes), r.outputSha256.slice(0, 16)]);
    const skipped = this.skippedRows.map((r) => [r.stage, "skipped", "-", "-", "-"]);
    return alignColumns([header, ...skipped, ...body]);
  }

  /** The report: `ok`, the stages that finished, those skipped (not needed) with why, and on failure the error's code, message and hint. */
  async writeJson(file: string, target: string, error?: { code: string; message: string; hint?: string }): Promise<void> {
    await writeJsonAtomic(file, { target, ok: error === undefined, stages: this.rows, skipped: this.skippedRows, ...(error ? { error } : {}) });
  }

  private redraw(): void {
    if (!this.running) return;
    const elapsed = Math.round((performance.now() - this.running.started) / 1000);
    const width = (this.out.columns ?? 100) - 1;
    const text = `${this.running.stage} ${elapsed}s | ${this.running.last}`;
    this.out.write(`\r\x1b[2K${text.slice(0, width)}`);
  }
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} B`;
}
