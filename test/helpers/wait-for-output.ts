// Waiting on a child's output with an end: every wait gives up after a timeout, or as soon as the
// child exits, and says what it saw. A missed chunk can never hang a test run.
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
