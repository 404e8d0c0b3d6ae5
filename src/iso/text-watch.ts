// Spots a text in a console byte stream even when it is split across chunks or sits on a line that
// never ends (prompts such as "login: "), which line-based matching would miss.

export class TextWatch {
  private readonly decoder = new TextDecoder("utf-8");
  private window = "";
  private found = false;

  constructor(private readonly needle: string) {
    if (needle.length === 0) throw new TypeError("TextWatch needs a non-empty text");
  }

  /** True from the chunk that completes the text on. */
  feed(chunk: Uint8Array): boolean {
    if (this.found) return true;
    this.window += this.decoder.decode(chunk, { stream: true });
    if (this.window.includes(this.needle)) {
      this.found = true;
      this.window = "";
      return true;
    }
    // Only the tail that could still start the text needs keeping.
    this.window = this.window.slice(-(this.needle.length - 1) || this.window.length);
    return false;
  }
}
