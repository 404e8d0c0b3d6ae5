// The escape key of an interactive console: Ctrl-] then a command key, as in telnet. Everything
// else the user types goes to the guest unchanged. Pure: bytes in, forwarded bytes and actions out.

/** Ctrl-] (GS). */
export const ESCAPE_BYTE = 0x1d;

export const ESCAPE_HELP = "Ctrl-] q: quit (kills the VM)   Ctrl-] Ctrl-]: send Ctrl-]   Ctrl-] ?: this help";

export type EscapeAction = "quit" | "help";

export interface EscapeResult {
  /** Bytes for the guest, in order. */
  forward: Uint8Array;
  actions: EscapeAction[];
}

export class EscapeKeys {
  /** True after Ctrl-], until the next byte decides what it meant. */
  private pending = false;

  feed(input: Uint8Array): EscapeResult {
    const forward: number[] = [];
    const actions: EscapeAction[] = [];
    for (const byte of input) {
      if (!this.pending) {
        if (byte === ESCAPE_BYTE) this.pending = true;
        else forward.push(byte);
        continue;
      }
      this.pending = false;
      if (byte === 0x71 /* q */ || byte === 0x51 /* Q */) actions.push("quit");
      else if (byte === 0x3f /* ? */ || byte === 0x68 /* h */) actions.push("help");
      else if (byte === ESCAPE_BYTE) forward.push(ESCAPE_BYTE);
      // Not a command: the guest gets both keys, as typed.
      else forward.push(ESCAPE_BYTE, byte);
      if (actions.includes("quit")) break;
    }
    return { forward: Uint8Array.from(forward), actions };
  }
}
