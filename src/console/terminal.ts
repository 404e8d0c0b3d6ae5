// The user's terminal as a shell frontend: raw mode, every key passed through except the escape
// key, window size changes forwarded, and the terminal restored however the session ends.
import type { ConsoleIo } from "../vm/backend.js";
import type { ShellFrontend } from "../shell/session.js";
import { ESCAPE_HELP, EscapeKeys } from "./escape-keys.js";

export interface TerminalStreams {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
}

export class TerminalFrontend implements ShellFrontend {
  private readonly escape = new EscapeKeys();
  private cleanup: (() => void) | null = null;

  constructor(private readonly streams: TerminalStreams = { stdin: process.stdin, stdout: process.stdout }) {}

  size(): { rows: number; cols: number } {
    return { rows: this.streams.stdout.rows ?? 24, cols: this.streams.stdout.columns ?? 80 };
  }

  write(chunk: Uint8Array): void {
    this.streams.stdout.write(chunk);
  }

  notice(line: string): void {
    // Raw mode: the terminal does not turn \n into \r\n for us.
    this.streams.stdout.write(`\r\n[${line}]\r\n`);
  }

  attach(io: ConsoleIo, quit: (why: string) => void): void {
    const { stdin, stdout } = this.streams;
    const onData = (data: Buffer) => {
      const { forward, actions } = this.escape.feed(data);
      if (forward.length > 0) io.input(forward);
      for (const action of actions) {
        if (action === "help") this.notice(ESCAPE_HELP);
        if (action === "quit") quit("left with the escape key");
      }
    };
    const onResize = () => io.control(`${stdout.rows} ${stdout.columns}`);
    const restore = () => this.detach();
    stdin.setRawMode(true);
    stdin.on("data", onData);
    stdin.resume();
    stdout.on("resize", onResize);
    // Even a crash of ours must not leave the user's terminal raw.
    process.once("exit", restore);
    this.cleanup = () => {
      // The guest's last line may have no newline (a prompt): start ours on a fresh line.
      stdout.write("\r\n");
      stdin.off("data", onData);
      stdout.off("resize", onResize);
      process.off("exit", restore);
      if (stdin.isTTY) stdin.setRawMode(false);
      stdin.pause();
    };
  }

  detach(): void {
    const cleanup = this.cleanup;
    this.cleanup = null;
    cleanup?.();
  }
}
