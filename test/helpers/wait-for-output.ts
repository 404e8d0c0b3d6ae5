// Waiting on output with an end: a wait on a child's output gives up after a timeout or as soon as
// the child exits, a wait on an in-process call's log as soon as the call settles; each says what
// it saw. A missed chunk can never hang a test run.
import type { Readable } from "node:stream";

export interface WaitOptions {
  /** Give up after this long (default 120 s). */
  timeoutMs?: number;
  /** Settles when the child ends: stop waiting then, there will be no more output. */
  ended?: PromiseLike<unknown>;
}

/** Resolves with the text seen so far once it contains `wanted` (matched across chunk borders). */
export function waitForOutput(stream: Readable, wanted: string | RegExp, opts: WaitOptions = {}): Promise<string> {
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const matches = (text: string) => (typeof wanted === "string" ? text.includes(wanted) : wanted.test(text));
  return new Promise<string>((resolve, reject) => {
    let seen = "";
    const stop = (error?: Error) => {
      clearTimeout(timer);
      stream.off("data", onData);
      if (error) reject(error);
      else resolve(seen);
    };
    const onData = (chunk: Buffer | string) => {
      seen += String(chunk);
      if (matches(seen)) stop();
    };
    const timer = setTimeout(() => stop(new Error(`no ${String(wanted)} after ${timeoutMs} ms; output so far:\n${seen}`)), timeoutMs);
    stream.on("data", onData);
    void opts.ended?.then(
      () => stop(new Error(`the process ended without printing ${String(wanted)}; output:\n${seen}`)),
      () => stop(new Error(`the process failed without printing ${String(wanted)}; output:\n${seen}`)),
    );
  });
}

/** Polls `condition` until it holds; fails after `timeoutMs` naming `what`. A wait, not a sleep. */
export async function waitUntil(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 60_000, everyMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

export interface LogRecorder {
  /** Every line logged so far. */
  lines: string[];
  /** The `log` callback to hand to the code under test. */
  log: (line: string) => void;
  /** Resolves once a line contains `wanted`; fails as soon as `ended` (the call under test)
   *  settles without one: it will log no more, so waiting longer proves nothing. */
  logged(ended: PromiseLike<unknown>): Promise<void>;
}

/** Records an in-process log callback's lines, for waiting on one of them. */
export function recordLog(wanted: string): LogRecorder {
  const lines: string[] = [];
  let seen: () => void = () => {};
  const printed = new Promise<void>((resolve) => (seen = resolve));
  const without = (how: string) => new Error(`${how} without logging "${wanted}"; it logged:\n${lines.join("\n")}`);
  return {
    lines,
    log: (line) => {
      lines.push(line);
      if (line.includes(wanted)) seen();
    },
    logged: (ended) =>
      Promise.race([
        printed,
        Promise.resolve(ended).then(
          () => Promise.reject(without("it returned")),
          (error: unknown) => Promise.reject(without(`it failed (${String(error)})`)),
        ),
      ]),
  };
}
