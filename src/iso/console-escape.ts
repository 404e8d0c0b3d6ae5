// Keyboard escape for the raw serial passthrough, with QEMU's own keys so that muscle memory works:
// Ctrl-A x quits, Ctrl-A h shows help, Ctrl-A Ctrl-A sends one Ctrl-A to the guest. Every other
// byte (Ctrl-C included) goes to the guest unchanged.

export const ESCAPE_BYTE = 0x01;

export const ESCAPE_HELP = "Ctrl-A x: quit (stops the VM)  Ctrl-A h: this help  Ctrl-A Ctrl-A: send Ctrl-A";

export type EscapeCommand = "quit" | "help";

export interface EscapeResult {
  /** Bytes for the guest. */
  forward: Uint8Array;
  /** Commands typed in this chunk, in order. */
  commands: EscapeCommand[];
}

export class ConsoleEscape {
  private pendingEscape = false;

  feed(input: Uint8Array): EscapeResult {
    const forward: number[] = [];
    const commands: EscapeCommand[] = [];
    for (const byte of input) {
      if (!this.pendingEscape) {
        if (byte === ESCAPE_BYTE) this.pendingEscape = true;
        else forward.push(byte);
        continue;
      }
      this.pendingEscape = false;
      const key = String.fromCharCode(byte).toLowerCase();
      if (byte === ESCAPE_BYTE) forward.push(ESCAPE_BYTE);
      else if (key === "x") commands.push("quit");
      // Unknown keys after Ctrl-A are dropped, as QEMU does, but answered with the help line.
      else commands.push("help");
    }
    return { forward: Uint8Array.from(forward), commands };
  }
}
