// The flags commands share, as node:util parseArgs specs. Each command lists the groups it takes
// (commands/index.ts); a flag outside them is a usage error naming the ones it does take.
import type { OptionSpec } from "./context.js";

export const COMMON_OPTIONS = {
  help: { type: "boolean", short: "h" },
  verbose: { type: "boolean", short: "v" },
} satisfies OptionSpec;

/** How stages are provisioned and booted (build, verify, shell, ddc). */
export const VM_OPTIONS = {
  seed: { type: "string" },
  kernel: { type: "string" },
  accel: { type: "string" },
  qemu: { type: "string" },
  cpus: { type: "string" },
  memory: { type: "string" },
  timeout: { type: "string" },
  backend: { type: "string" },
  runner: { type: "string" },
  transport: { type: "string" },
  "share-fs": { type: "string" },
  mirror: { type: "string", multiple: true },
} satisfies OptionSpec;

/** The shared stage cache (build, verify; plan takes --cache only). */
export const CACHE_OPTIONS = {
  cache: { type: "string" },
  "cache-push": { type: "boolean" },
} satisfies OptionSpec;
