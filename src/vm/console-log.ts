// Turns a VM's serial byte stream into clean text lines: a log file, a live view and a tail.
import fs from "node:fs";
import stripAnsi from "strip-ansi";

export class ConsoleLog {
  private readonly out: fs.WriteStream;
  private pending = "";
  private readonly tailLines: string[] = [];
  private readonly decoder = new TextDecoder("utf-8");

  constructor(
    file: string,
    private readonly onLine?: (line: string) => void,
    private readonly tailSize = 20,
  ) {
    this.out = fs.createWriteStream(file, { flags: "w" });
  }

  write(chunk: Uint8Array): void {
    this.pending += this.decoder.decode(chunk, { stream: true });
    let newline: number;
    while ((newline = this.pending.indexOf("\n")) >= 0) {
      this.emit(this.pending.slice(0, newline));
      this.pending = this.pending.slice(newline + 1);
    }
  }

  /** The last lines seen (at most tailSize). */
  tail(): string[] {
    return [...this.tailLines];
  }

  async close(): Promise<void> {
    if (this.pending) this.emit(this.pending);
    this.pending = "";
    await new Promise<void>((resolve, reject) => this.out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  }

  private emit(raw: string): void {
    // Serial consoles end lines with \r\n and firmware repaints with bare \r: keep the last repaint.
    const line = stripAnsi(raw).split("\r").filter((part) => part.length > 0).pop() ?? "";
    this.out.write(line + "\n");
    this.tailLines.push(line);
    if (this.tailLines.length > this.tailSize) this.tailLines.shift();
    this.onLine?.(line);
  }
}
