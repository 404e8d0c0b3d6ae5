// Drives `zilchboot shell` through a real pseudo-terminal (node-pty), as a user at a terminal.
import pty from "node-pty";
import { childEnv } from "./child-env.js";
import { CLI } from "./home.js";
import { provisioned } from "./provisioned.js";

export interface PtySession {
  /** Everything the terminal received so far. */
  output(): string;
  write(data: string): void;
  resize(cols: number, rows: number): void;
  /** Waits until the output after `from` matches; gives up after `timeoutMs` with the terminal's text. */
  waitFor(pattern: RegExp, from?: number, timeoutMs?: number): Promise<void>;
  /** Resolves with the exit code of the process started in the terminal. */
  exited: Promise<number>;
  pid: number;
  /** Hangs up the terminal (SIGHUP, as closing it would), so a failed test leaves no VM behind. */
  hangUp(): void;
}

export interface PtyOptions {
  size?: { cols: number; rows: number };
  /** Added to the environment: a test's ZILCHBOOT_HOME and ZILCHBOOT_RECIPES. */
  env?: Record<string, string>;
}

/** Runs `sh -c SCRIPT` in a pty; `$ZB` in the script is the zilchboot CLI, `$ZB_VM` the test kernel and seed flags. */
export async function startPty(script: string, opts: PtyOptions = {}): Promise<PtySession> {
  const { kernel, seed } = await provisioned();
  const term = pty.spawn("sh", ["-c", script], {
    ...(opts.size ?? { cols: 100, rows: 30 }),
    env: childEnv({ TERM: process.env.TERM ?? "xterm-256color", ...opts.env, ZB: `node ${CLI}`, ZB_VM: `--kernel ${kernel.path} --seed ${seed}` }),
  });
  let text = "";
  term.onData((data) => (text += data));
  let done = false;
  const exited = new Promise<number>((resolve) => term.onExit(({ exitCode }) => {
    done = true;
    resolve(exitCode);
  }));
  return {
    output: () => text,
    write: (data) => term.write(data),
    resize: (cols, rows) => term.resize(cols, rows),
    pid: term.pid,
    exited,
    hangUp: () => {
      if (!done) term.kill("SIGHUP");
    },
    async waitFor(pattern, from = 0, timeoutMs = 120_000) {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(text.slice(from))) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}; terminal so far:\n${text}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
  };
}
