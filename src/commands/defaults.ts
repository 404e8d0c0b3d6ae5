// Defaults the command table and the commands agree on.

/** The stage `build` and `plan` mean when none is named. */
export const DEFAULT_TARGET = "1-stage1";
