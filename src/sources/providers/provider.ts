// The contract between ensureSource and the places bytes can come from. Providers never write
// into the cache themselves: they hand a file under .partial/ to `deliver`, which verifies it.
import { randomBytes } from "node:crypto";
import path from "node:path";
import type { SourcePin } from "../pins.js";

export interface FetchContext {
  pin: SourcePin;
  /** <cacheDir>/sources/.partial: same filesystem as the cache, so delivery is a rename. */
  partialDir: string;
  timeoutMs: number;
  progress: boolean;
  log: (line: string) => void;
  /**
   * Checks size and sha256 of `file` (which must lie under partialDir) and renames it to its
   * final cache name, returning that path. On a mismatch the file is deleted and a
   * HashMismatch is thrown.
   */
  deliver(file: string, from: string): Promise<string>;
}

export interface Provider {
  /** Short name used in messages, e.g. "mirror /srv/m" or "apt". */
  readonly label: string;
  /** What to do when this provider delivers wrong bytes. */
  readonly mismatchHint: string;
  fetch(ctx: FetchContext): Promise<string>;
}

/** A provider could not deliver; `clause` is one short line for the summary. */
export class ProviderFailure extends Error {
  constructor(
    readonly clause: string,
    readonly hint?: string,
  ) {
    super(clause);
    this.name = "ProviderFailure";
  }
}

/** A provider delivered bytes that do not match the pin (they have been deleted). */
export class HashMismatch extends Error {
  constructor(
    /** The whole one-line sentence, with both hashes. */
    readonly sentence: string,
    readonly hint: string,
  ) {
    super(sentence);
    this.name = "HashMismatch";
  }
}

/** Collapses tool output or error text into one short clause. */
export function oneLine(text: string, max = 160): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max - 3)}...` : line;
}

/** The last meaningful line of a tool's output, for error clauses. */
export function lastLine(output: string): string {
  const lines = output.split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("W: Download is performed unsandboxed"));
  return oneLine(lines.at(-1) ?? "no output");
}

/** A fresh name under partialDir that no other fetch (or process) will pick. */
export function uniqueTemp(ctx: FetchContext, tag: string): string {
  return path.join(ctx.partialDir, `${ctx.pin.file}.${tag}-${process.pid}-${randomBytes(4).toString("hex")}`);
}
