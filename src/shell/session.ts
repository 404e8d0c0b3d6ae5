// Runs one interactive shell VM on a prepared share and connects it to a frontend (the user's
// terminal, or a web page). Boot noise stays in the log; the user sees the console from the
// guest helper's ready line on.
import type { ConsoleIo, VmBackend, VmRun } from "../vm/backend.js";
import { READY_MARKER, shellInit } from "./guest-session.js";
import type { PreparedShell } from "./prepare.js";

/** Where the console goes and where keys come from. */
export interface ShellFrontend {
  /** The window size the guest starts with. */
  size(): { rows: number; cols: number };
  /** Raw console output (escape sequences intact). */
  write(chunk: Uint8Array): void;
  /** A line from zilchboot itself, not from the guest. */
  notice(line: string): void;
  /** Connects keys and window size changes to the guest; `quit(why)` kills the VM. */
  attach(io: ConsoleIo, quit: (why: string) => void): void;
  /** Undoes attach (raw mode, listeners); safe to call in any state, also after a crash. */
  detach(): void;
}

export interface ShellRunOptions {
  backend: VmBackend;
  kernel: string;
  cpus: number;
  memoryMiB: number;
  /** Default: a day. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface ShellResult {
  run: VmRun;
  /** Session start → the guest's ready line, when seen. */
  readyMs: number | null;
  /** Why the user ended the session ("left with the escape key", "the page closed"), which
   *  killed the VM; null when the VM ended by itself. */
  quit: string | null;
}

const DAY_MS = 24 * 3600 * 1000;

/** Holds console output back until the ready line, then passes everything after it. */
export class ReadyGate {
  private held = Buffer.alloc(0);
  private open = false;

  constructor(private readonly onReady: () => void, private readonly pass: (chunk: Uint8Array) => void) {}

  get isOpen(): boolean {
    return this.open;
  }

  feed(chunk: Uint8Array): void {
    if (this.open) {
      this.pass(chunk);
      return;
    }
    this.held = Buffer.concat([this.held, chunk]);
    const at = this.held.indexOf(READY_MARKER);
    const end = at < 0 ? -1 : this.held.indexOf("\n", at);
    if (end < 0) {
      // Only the tail can still hold the start of the marker.
      if (this.held.length > 4096) this.held = this.held.subarray(-READY_MARKER.length);
      return;
    }
    this.open = true;
    const rest = this.held.subarray(end + 1);
    this.held = Buffer.alloc(0);
    this.onReady();
    if (rest.length > 0) this.pass(rest);
  }
}

export async function runShell(prepared: PreparedShell, frontend: ShellFrontend, opts: ShellRunOptions): Promise<ShellResult> {
  const started = performance.now();
  const local = new AbortController();
  const signal = opts.signal ? AbortSignal.any([local.signal, opts.signal]) : local.signal;
  let readyMs: number | null = null;
  let quit: string | null = null;
  const gate = new ReadyGate(() => {
    readyMs = Math.round(performance.now() - started);
    frontend.notice(`zilchboot: ${prepared.stage.name} shell (${prepared.mode}${prepared.rerun ? ", re-run" : ""}) ready in ${(readyMs / 1000).toFixed(1)} s; inputs read-only, /out and /tmp scratch; Ctrl-] q quits`);
  }, (chunk) => frontend.write(chunk));
  const { rows, cols } = frontend.size();
  try {
    const run = await opts.backend.boot({
      kernel: opts.kernel,
      rootDir: prepared.rootDir,
      outDir: prepared.outDir,
      ...shellInit({ stage: prepared.stage, mode: prepared.mode, rerun: prepared.rerun, cpus: opts.cpus, rows, cols }),
      memoryMiB: opts.memoryMiB,
      cpus: opts.cpus,
      timeoutMs: opts.timeoutMs ?? DAY_MS,
      consoleLog: prepared.logFile,
      console: {
        onOutput: (chunk) => gate.feed(chunk),
        onAttach: (io) => frontend.attach(io, (why) => {
          quit ??= why;
          local.abort();
        }),
      },
    }, signal);
    return { run, readyMs, quit };
  } finally {
    frontend.detach();
  }
}

/** One line about how the session ended. */
export function describeShellEnd(result: ShellResult, logFile: string): string {
  const { outcome } = result.run;
  if (result.quit) return `zilchboot shell: ${result.quit}; VM killed`;
  if (outcome.kind === "status") return `zilchboot shell: the shell exited ${outcome.status}; VM stopped`;
  if (outcome.kind === "timeout") return `zilchboot shell: timed out, VM killed; log: ${logFile}`;
  return `zilchboot shell: VM ended: ${outcome.detail}; last lines: ${JSON.stringify(result.run.consoleTail.slice(-3))}; log: ${logFile}`;
}
