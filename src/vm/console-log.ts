// Turns a VM's serial byte stream into clean text lines: a log file, a live view and a tail.
import fs from "node:fs";
import { CleanLines } from "../console/clean-lines.js";

export class ConsoleLog {
  private readonly out: fs.WriteStream;
  private readonly tailLines: string[] = [];
  private readonly lines: CleanLines;

  constructor(
    file: string,
    private readonly onLine?: (line: string) => void,
    private readonly tailSize = 20,
  ) {
    this.out = fs.createWriteStream(file, { flags: "w" });
    this.lines = new CleanLines((line) => this.emit(line));
  }

  write(chunk: Uint8Array): void {
    this.lines.write(chunk);
  }

  /** The last lines seen (at most tailSize). */
  tail(): string[] {
    return [...this.tailLines];
  }

  async close(): Promise<void> {
    await this.lines.end();
    await new Promise<void>((resolve, reject) => this.out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  }

  private emit(line: string): void {
    this.out.write(line + "\n");
    this.tailLines.push(line);
    if (this.tailLines.length > this.tailSize) this.tailLines.shift();
    this.onLine?.(line);
  }
}
