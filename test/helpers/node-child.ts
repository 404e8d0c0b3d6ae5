// Real child processes for cross-process race tests: each runs a small ES module script (given as
// text) with argv = [node, ...args]; the test reads its stdout line by line to synchronise.
import { spawn } from "node:child_process";
import { childEnv } from "./child-env.js";

export interface NodeChild {
  pid: number;
  /** Resolves with the first stdout line matching `pattern` (rejects if the child exits first). */
  line(pattern: RegExp): Promise<string>;
  /** Resolves when the child exits; rejects unless it exits 0. */
  done: Promise<{ stdout: string; stderr: string }>;
}

export function nodeChild(script: string, args: string[], env: Record<string, string> = childEnv()): NodeChild {
  const child = spawn(process.execPath, ["--input-type=module", "-e", script, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  let exit: number | null | undefined;
  const waiters: { pattern: RegExp; resolve: (line: string) => void; reject: (error: Error) => void }[] = [];
  const check = (): void => {
    for (const waiter of [...waiters]) {
      const found = stdout.split("\n").find((line) => waiter.pattern.test(line));
      if (found !== undefined) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(found);
      }
    }
  };
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
    check();
  });
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
    child.on("close", (code) => {
      exit = code;
      for (const waiter of waiters.splice(0)) waiter.reject(new Error(`child exited (${code}) before printing ${waiter.pattern}: ${stderr}`));
      if (code === 0) resolve({ stdout, stderr });
      else reject(new Error(`child exited ${code}: ${stderr.trim() || stdout.trim()}`));
    });
  });
  // A test that fails early must not leave an unhandled rejection behind.
  done.catch(() => {});
  return {
    pid: child.pid ?? -1,
    line: (pattern) => new Promise((resolve, reject) => {
      waiters.push({ pattern, resolve, reject });
      check();
      if (exit !== undefined && waiters.some((w) => w.pattern === pattern)) reject(new Error(`child exited (${exit}) before printing ${pattern}: ${stderr}`));
    }),
    done,
  };
}

/** The compiled module's URL, for a child's `await import(...)`: `from` is the test's import.meta.url. */
export function moduleUrl(relative: string, from: string): string {
  return new URL(relative, from).href;
}
