// The one error type the CLI knows how to print: what failed, why, and what to do about it.
export type ZilchErrorCode =
  | "USAGE"
  | "PIN"
  | "FETCH"
  | "HASH_MISMATCH"
  | "SEED"
  | "KERNEL"
  | "VM"
  | "STAGE"
  | "STORE"
  | "HOST";

export interface ZilchErrorOptions {
  code: ZilchErrorCode;
  message: string;
  /** What the user can do about it; printed after the message. */
  hint?: string;
  /** Context printed after the one-line message (e.g. the last console lines). */
  details?: string[];
  cause?: unknown;
}

export class ZilchError extends Error {
  readonly code: ZilchErrorCode;
  readonly hint: string | undefined;
  readonly details: string[];

  constructor({ code, message, hint, details, cause }: ZilchErrorOptions) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = "ZilchError";
    this.code = code;
    this.hint = hint;
    this.details = details ?? [];
  }

  /** One line: message, then the hint. */
  get line(): string {
    return this.hint ? `${this.message}; ${this.hint}` : this.message;
  }
}

export function isZilchError(error: unknown): error is ZilchError {
  return error instanceof ZilchError;
}
