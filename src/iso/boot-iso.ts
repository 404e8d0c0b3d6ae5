// Runs QEMU on an ISO with its first serial port wired to this terminal: raw-mode passthrough with a
// Ctrl-] escape on a TTY (the same keys as `zilchboot shell`), plain streaming otherwise, a clean-text log, and an optional text to wait for.
import fs from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import { ConsoleLog } from "../vm/console-log.js";
import { parentDeathWrapper } from "../vm/qemu.js";
import { ESCAPE_HELP, EscapeKeys } from "../console/escape-keys.js";
import { TextWatch } from "./text-watch.js";

/** Without any serial output for this long, the image probably talks to the screen only. */
export const SILENCE_NOTICE_MS = 20_000;

export interface BootIsoOptions {
  qemu: string;
  /** From isoQemuArgs: the serial port must be on stdio. */
  args: string[];
  /** Clean console text, line by line. */
  logFile: string;
  timeoutMs?: number;
  /** Stop (successfully) as soon as the console prints this. */
  until?: string;
  /** Keys for the guest. A TTY is switched to raw mode (and back) and gets the Ctrl-] escape. */
  input: NodeJS.ReadStream;
  /** The guest's console bytes, unchanged. */
  output: NodeJS.WritableStream;
  /** Tool notices (stderr), never mixed into `output`. */
  log: (line: string) => void;
  /** Whether a window shows the screen (changes the silence notice). */
  display: boolean;
  /** After this long without console output, say that the image may only use the screen. */
  silenceNoticeMs?: number;
  signal?: AbortSignal;
}

export type IsoBootEnd =
  | { kind: "until"; ms: number }
  /** QEMU exited 0: the guest powered off or rebooted (-no-reboot). */
  | { kind: "guest-stopped" }
  | { kind: "quit" }
  /** stdout was closed by its reader. */
  | { kind: "output-closed" }
  | { kind: "timeout" }
  | { kind: "cancelled" }
  | { kind: "qemu-error"; detail: string };

export interface IsoBootResult {
  end: IsoBootEnd;
  /** QEMU start → first console byte. */
  firstOutputMs: number | null;
  durationMs: number;
  consoleTail: string[];
  /** Everything QEMU printed on stderr (warnings, errors). */
  stderr: string;
}

export async function bootIso(opts: BootIsoOptions): Promise<IsoBootResult> {
  await fs.mkdir(path.dirname(path.resolve(opts.logFile)), { recursive: true });
  const consoleLog = new ConsoleLog(opts.logFile);
  const watch = opts.until ? new TextWatch(opts.until) : null;
  const raw = opts.input.isTTY === true;
  // The guest rarely leaves the cursor at column 0: a notice starts on a fresh line. (Node's raw
  // mode keeps ONLCR, so "\n" still returns the cursor.)
  const notice = (line: string) => opts.log(raw ? `\n${line}` : line);

  const [command, ...argv] = [...(await parentDeathWrapper()), opts.qemu, ...opts.args];
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  let end: IsoBootEnd | null = null;
  let firstOutputMs: number | null = null;
  const child = execa(command, argv, {
    reject: false,
    stdin: "pipe",
    stdout: "pipe",
    stderr: "pipe",
    buffer: { stdout: false, stderr: true },
    killSignal: "SIGKILL",
    forceKillAfterDelay: false,
  });
  const stop = (why: IsoBootEnd) => {
    end ??= why;
    child.kill("SIGKILL");
  };

  child.stdout.on("data", (chunk: Buffer) => {
    firstOutputMs ??= elapsed();
    opts.output.write(chunk);
    consoleLog.write(chunk);
    if (watch?.feed(chunk)) stop({ kind: "until", ms: elapsed() });
  });
  // The guest may die while keys are in flight: a closed pipe is not an error of ours.
  child.stdin.on("error", () => {});
  // Our reader went away (`boot-iso … | head`): nobody sees the console any more, so stop.
  const onOutputError = () => stop({ kind: "output-closed" });
  opts.output.on("error", onOutputError);

  const escape = new EscapeKeys();
  const onInput = (data: Buffer) => {
    if (!raw) {
      child.stdin.write(data);
      return;
    }
    const { forward, actions } = escape.feed(data);
    if (forward.length > 0) child.stdin.write(forward);
    for (const key of actions) {
      if (key === "quit") stop({ kind: "quit" });
      else notice(`[zilchboot] ${ESCAPE_HELP}`);
    }
  };
  const restoreTerminal = () => {
    if (raw && opts.input.isRaw) opts.input.setRawMode(false);
  };
  const onProcessExit = () => {
    child.kill("SIGKILL");
    restoreTerminal();
  };
  const onAbort = () => stop({ kind: "cancelled" });

  if (raw) opts.input.setRawMode(true);
  opts.input.on("data", onInput);
  opts.input.resume();
  process.once("exit", onProcessExit);
  opts.signal?.addEventListener("abort", onAbort, { once: true });
  if (opts.signal?.aborted) onAbort();
  const timer = opts.timeoutMs === undefined ? undefined : setTimeout(() => stop({ kind: "timeout" }), opts.timeoutMs);
  const silenceMs = opts.silenceNoticeMs ?? SILENCE_NOTICE_MS;
  const silence = setTimeout(() => {
    if (firstOutputMs !== null) return;
    notice(opts.display
      ? `boot-iso: no serial output after ${silenceMs / 1000} s; the image may use only the screen (see the window)`
      : `boot-iso: no serial output after ${silenceMs / 1000} s; the image may use only the screen: try --display, or boot its kernel with console=ttyS0`);
  }, silenceMs);

  try {
    const result = await child;
    end ??= result.exitCode === 0
      ? { kind: "guest-stopped" }
      : { kind: "qemu-error", detail: qemuFailure(result.exitCode, String(result.stderr ?? ""), result.shortMessage) };
    await consoleLog.close();
    return { end, firstOutputMs, durationMs: elapsed(), consoleTail: consoleLog.tail(), stderr: String(result.stderr ?? "") };
  } finally {
    clearTimeout(timer);
    clearTimeout(silence);
    opts.signal?.removeEventListener("abort", onAbort);
    process.removeListener("exit", onProcessExit);
    opts.input.removeListener("data", onInput);
    opts.output.removeListener("error", onOutputError);
    opts.input.pause();
    restoreTerminal();
    // A paused stdin pipe still holds the event loop open; the run is over, so let it go.
    (opts.input as { unref?: () => void }).unref?.();
  }
}

function qemuFailure(exitCode: number | undefined, stderr: string, shortMessage: string | undefined): string {
  const line = stderr.split("\n").map((l) => l.trim()).find((l) => l.length > 0);
  if (exitCode === undefined) return shortMessage ?? "did not start";
  return `qemu exited ${exitCode}${line ? `: ${line}` : ""}`;
}
