// Turns a console byte stream into the text a terminal would show, line by line: a headless
// xterm interprets every control sequence (SeaBIOS repaints, kernel colours, cursor moves, \r
// progress lines), and each line is read back from its screen when a line feed ends it.
import xtermHeadless from "@xterm/headless";

// @xterm/headless is CommonJS: under Node ESM only the default import carries `Terminal`.
const { Terminal } = xtermHeadless;

/** SeaBIOS turns auto-wrap off; lines longer than the screen would then be cut, so it stays on. */
const WRAP_OFF = "\x1b[?7l";

// Wide enough that few lines wrap; wrapped rows are joined again anyway.
const COLUMNS = 200;

export class CleanLines {
  // convertEol: a bare \n (processes without a tty) ends a line as \r\n does. allowProposedApi:
  // @xterm/headless counts reading `buffer` as proposed API.
  private readonly term = new Terminal({ cols: COLUMNS, rows: 50, scrollback: 100, convertEol: true, allowProposedApi: true });
  private readonly decoder = new TextDecoder("utf-8");
  /** The end of a chunk that may be the start of WRAP_OFF, held for the next chunk. */
  private carry = "";
  /** Resolves when everything written so far is interpreted. */
  private written: Promise<void> = Promise.resolve();

  constructor(private readonly onLine: (line: string) => void) {
    this.term.onLineFeed(() => {
      const buffer = this.term.buffer.active;
      // The line feed moved the cursor below the line it ended.
      const ended = buffer.baseY + buffer.cursorY - 1;
      if (ended >= 0) this.onLine(this.logicalLineEndingAt(ended));
    });
  }

  write(chunk: Uint8Array): void {
    let text = this.carry + this.decoder.decode(chunk, { stream: true });
    this.carry = "";
    text = text.split(WRAP_OFF).join("");
    for (let keep = Math.min(WRAP_OFF.length - 1, text.length); keep > 0; keep--) {
      if (WRAP_OFF.startsWith(text.slice(-keep))) {
        this.carry = text.slice(-keep);
        text = text.slice(0, -keep);
        break;
      }
    }
    this.enqueue(text);
  }

  /** Waits until everything written is interpreted, then emits the unfinished last line, if any. */
  async end(): Promise<void> {
    this.enqueue(this.carry + this.decoder.decode());
    this.carry = "";
    await this.written;
    const buffer = this.term.buffer.active;
    const last = this.logicalLineEndingAt(buffer.baseY + buffer.cursorY);
    if (last !== "") this.onLine(last);
    this.term.dispose();
  }

  private enqueue(text: string): void {
    if (text === "") return;
    // xterm interprets writes in order: the last write's callback means all are done.
    this.written = new Promise<void>((resolve) => this.term.write(text, resolve));
  }

  /** A screen line plus the rows it wrapped from. */
  private logicalLineEndingAt(row: number): string {
    const buffer = this.term.buffer.active;
    let text = buffer.getLine(row)?.translateToString(true) ?? "";
    for (let r = row; r > 0 && buffer.getLine(r)?.isWrapped; r--) {
      text = (buffer.getLine(r - 1)?.translateToString(false) ?? "") + text;
    }
    return text;
  }
}
