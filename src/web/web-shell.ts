// `zilchboot shell --web`: the VM boots when the page connects (with the page's terminal size)
// and ends when the page closes, the shell exits or the user presses Ctrl-C here.
import type { WebSocket } from "ws";
import type { ConsoleIo } from "../vm/backend.js";
import { describeShellEnd, runShell, type ShellFrontend, type ShellResult, type ShellRunOptions } from "../shell/session.js";
import type { PreparedShell } from "../shell/prepare.js";
import { startWebServer, type WebShellServer } from "./server.js";

type ClientMessage = { type: "size"; rows: number; cols: number } | { type: "input"; data: string };

function parseMessage(raw: string): ClientMessage | null {
  try {
    const message = JSON.parse(raw) as ClientMessage;
    if (message.type === "input" && typeof message.data === "string") return message;
    if (message.type === "size" && Number.isInteger(message.rows) && Number.isInteger(message.cols)) return message;
  } catch {
    // Not ours: ignored.
  }
  return null;
}

const PAGE_CLOSED = "the page closed";

/** A page's terminal as a shell frontend. */
class PageFrontend implements ShellFrontend {
  private io: ConsoleIo | null = null;
  private quit: ((why: string) => void) | null = null;
  private closed = false;

  constructor(private readonly socket: WebSocket, private readonly initial: { rows: number; cols: number }) {
    socket.on("message", (data, isBinary) => {
      const message = isBinary ? null : parseMessage(String(data));
      if (message?.type === "input") this.io?.input(message.data);
      if (message?.type === "size") this.io?.control(`${message.rows} ${message.cols}`);
    });
    // Closing the page ends the VM.
    socket.on("close", () => {
      this.closed = true;
      this.quit?.(PAGE_CLOSED);
    });
  }

  size() {
    return this.initial;
  }

  write(chunk: Uint8Array): void {
    if (this.socket.readyState === this.socket.OPEN) this.socket.send(chunk, { binary: true });
  }

  notice(line: string): void {
    this.write(Buffer.from(`\r\n[${line}]\r\n`));
  }

  attach(io: ConsoleIo, quit: (why: string) => void): void {
    this.io = io;
    this.quit = quit;
    if (this.closed) quit(PAGE_CLOSED);
  }

  detach(): void {
    this.io = null;
    this.quit = null;
  }
}

/** The first message of a page is its terminal size. */
function firstSize(socket: WebSocket): Promise<{ rows: number; cols: number }> {
  return new Promise((resolve, reject) => {
    socket.once("message", (data, isBinary) => {
      const message = isBinary ? null : parseMessage(String(data));
      resolve(message?.type === "size" ? { rows: message.rows, cols: message.cols } : { rows: 24, cols: 80 });
    });
    socket.once("close", () => reject(new Error("page closed before it sent its size")));
  });
}

export interface WebShellOptions extends ShellRunOptions {
  /** Called with the page's address as soon as it is served. */
  onListening(server: WebShellServer): void;
  log?: (line: string) => void;
}

/** Serves the page, runs one session for the first viewer, returns when it ends (or null when
 *  the signal fired before any page connected). */
export async function runWebShell(prepared: PreparedShell, opts: WebShellOptions): Promise<ShellResult | null> {
  let onViewer: (socket: WebSocket) => void = () => {};
  const viewer = new Promise<WebSocket>((resolve) => (onViewer = resolve));
  const server = await startWebServer({ onViewer: (socket) => onViewer(socket), log: opts.log });
  try {
    opts.onListening(server);
    const aborted = new Promise<null>((resolve) => {
      if (opts.signal?.aborted) resolve(null);
      opts.signal?.addEventListener("abort", () => resolve(null), { once: true });
    });
    const socket = await Promise.race([viewer, aborted]);
    if (!socket) return null;
    const size = await Promise.race([firstSize(socket), aborted]);
    if (!size) return null;
    const frontend = new PageFrontend(socket, size);
    const result = await runShell(prepared, frontend, opts);
    frontend.notice(describeShellEnd(result, prepared.logFile));
    socket.close(1000, "VM stopped");
    return result;
  } finally {
    await server.close();
  }
}
