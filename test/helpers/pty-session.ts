// Drives `zilchboot shell` through a real pseudo-terminal (node-pty), as a user at a terminal.
import path from "node:path";
import pty from "node-pty";
import { repoRoot } from "../../src/paths.js";
import { provisioned } from "./provisioned.js";

export interface PtySession {
  /** Everything the terminal received so far. */
  output(): string;
  write(data: string): void;
  resize(cols: number, rows: number): void;
  /** Waits until the output after `from` matches. */
  waitFor(pattern: RegExp, from?: number, timeoutMs?: number): Promise<void>;
  /** Resolves with the exit code of the process started in the terminal. */
  exited: Promise<number>;
  pid: number;
}

/** Runs `sh -c SCRIPT` in a pty; `$ZB` in the script is the zilchboot CLI with the test kernel and seed. */
export async function startPty(script: string, size = { cols: 100, rows: 30 }): Promise<PtySession> {
  const { kernel, seed } = await provisioned();
  const cli = `node ${path.join(repoRoot, "dist", "src", "cli.js")}`;
  const term = pty.spawn("sh", ["-c", script], {
    ...size,
    env: { ...process.env, ZB: cli, ZB_VM: `--kernel ${kernel.path} --seed ${seed}` } as Record<string, string>,
  });
  let text = "";
  term.onData((data) => (text += data));
  const exited = new Promise<number>((resolve) => term.onExit(({ exitCode }) => resolve(exitCode)));
  return {
    output: () => text,
    write: (data) => term.write(data),
    resize: (cols, rows) => term.resize(cols, rows),
    pid: term.pid,
    exited,
    async waitFor(pattern, from = 0, timeoutMs = 120_000) {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(text.slice(from))) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}; terminal so far:\n${text}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
  };
}
