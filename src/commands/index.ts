// The command table: summary, usage and flags of each command, and a loader for its module, so
// `zilchboot --help` and flag errors load no command code at all.
import type { CommandSpec } from "./context.js";
import { DEFAULT_TARGET } from "./defaults.js";
import { CACHE_OPTIONS, COMMON_OPTIONS, VM_OPTIONS } from "./option-specs.js";

export const COMMANDS: Record<string, CommandSpec> = {
  fetch: {
    summary: "download and verify pinned sources into the cache",
    usage: "[NAME...] [--mirror DIR|URL]",
    options: { ...COMMON_OPTIONS, mirror: VM_OPTIONS.mirror },
    load: () => import("./fetch.js"),
  },
  seed: {
    summary: "build the seed tcc from the pinned tinycc source and print its sha256",
    usage: "[--arch x86_64|i386] [--seed FILE]",
    options: { ...COMMON_OPTIONS, arch: { type: "string" }, seed: VM_OPTIONS.seed, mirror: VM_OPTIONS.mirror },
    load: () => import("./seed.js"),
  },
  kernel: {
    summary: "build the guest kernel from the pinned Linux source",
    usage: "[--arch x86_64|i386] [--verbose]",
    options: { ...COMMON_OPTIONS, arch: { type: "string" }, mirror: VM_OPTIONS.mirror },
    load: () => import("./kernel.js"),
  },
  kit: {
    summary: "export, import (hash-checked) or relock the guest kernels and seeds, for hosts that cannot build them",
    usage: "export FILE | import FILE | lock [--arch x86_64|i386]... [--only kernel|seed]",
    options: { ...COMMON_OPTIONS, arch: { type: "string", multiple: true }, only: { type: "string" }, mirror: VM_OPTIONS.mirror },
    load: () => import("./kit.js"),
  },
  probe: {
    summary: "show which accelerator QEMU will use here (probing if not cached) and whether v86 can run",
    usage: "[--accel NAME] [--kernel FILE] [--qemu BIN]",
    options: { ...COMMON_OPTIONS, accel: VM_OPTIONS.accel, kernel: VM_OPTIONS.kernel, qemu: VM_OPTIONS.qemu, mirror: VM_OPTIONS.mirror },
    load: () => import("./probe.js"),
  },
  build: {
    summary: `build a stage in a fresh VM (default: ${DEFAULT_TARGET}); cached by input hash`,
    usage: "[STAGE] [--keep] [--force] [--update-lock] [--json FILE] [--cache URL [--cache-push]] [VM options]",
    options: { ...COMMON_OPTIONS, ...VM_OPTIONS, ...CACHE_OPTIONS, keep: { type: "boolean" }, force: { type: "boolean" }, "update-lock": { type: "boolean" }, json: { type: "string" } },
    load: () => import("./build.js"),
  },
  shell: {
    summary: "open ash in a stage's VM (its inputs, or --after also its output; --web for a browser)",
    usage: "STAGE [--before|--after] [--rerun] [--web] [VM options]",
    // --runner is taken only to refuse `native` with the reason (a shell needs a VM console).
    options: { ...COMMON_OPTIONS, ...VM_OPTIONS, before: { type: "boolean" }, after: { type: "boolean" }, rerun: { type: "boolean" }, web: { type: "boolean" } },
    load: () => import("./shell.js"),
  },
  plan: {
    summary: "show what building a stage would reuse or run, and why, without building or booting",
    usage: "[STAGE] [--seed FILE] [--cache URL]",
    options: { ...COMMON_OPTIONS, seed: VM_OPTIONS.seed, cache: CACHE_OPTIONS.cache },
    load: () => import("./plan.js"),
  },
  status: {
    summary: "the chain at a glance: lock, store, who built and reproduced each stage, typical times",
    usage: "[--json] [--seed FILE]",
    options: { ...COMMON_OPTIONS, json: { type: "boolean" }, seed: VM_OPTIONS.seed },
    load: () => import("./status.js"),
  },
  verify: {
    summary: "rebuild stages and compare them with recipes/lock.json (never writes it; --attest records the evidence)",
    usage: "STAGE... [--keep] [--attest] [--json FILE] [--cache URL [--cache-push]] [VM options]",
    options: { ...COMMON_OPTIONS, ...VM_OPTIONS, ...CACHE_OPTIONS, keep: { type: "boolean" }, attest: { type: "boolean" }, json: { type: "string" } },
    load: () => import("./verify.js"),
  },
  ddc: {
    summary: "diverse double-compile: rebuild stage 1's x86_64 tcc from the independent i386 seed and compare",
    usage: "[VM options]",
    options: { ...COMMON_OPTIONS, ...VM_OPTIONS },
    load: () => import("./ddc.js"),
  },
  "cache-keygen": {
    summary: "make an ed25519 key to sign pushed cache records; prints its recipes/cache-keys.json line",
    usage: "FILE [--name NAME]",
    options: { ...COMMON_OPTIONS, name: { type: "string" } },
    load: () => import("./cache-keygen.js"),
  },
  "cache-check": {
    summary: "check a shared cache: what it answers to reads (and writes), and which stages it holds",
    usage: "[STAGE] [--cache URL] [--cache-push] [--seed FILE]",
    options: { ...COMMON_OPTIONS, ...CACHE_OPTIONS, seed: VM_OPTIONS.seed },
    load: () => import("./cache-check.js"),
  },
  gc: {
    summary: "remove store entries whose output recipes/lock.json does not name, and stale runs",
    usage: "[--dry-run]",
    options: { ...COMMON_OPTIONS, "dry-run": { type: "boolean" } },
    load: () => import("./gc.js"),
  },
  ls: {
    summary: "list the store with output hashes and sizes",
    usage: "",
    options: { ...COMMON_OPTIONS },
    load: () => import("./ls.js"),
  },
  "boot-iso": {
    summary: "boot an ISO image in QEMU with its serial console in this terminal",
    usage: "FILE.iso [--memory MIB] [--cpus N] [--display] [--net] [--until TEXT] [--timeout SEC] [--log FILE]",
    options: {
      ...COMMON_OPTIONS,
      memory: VM_OPTIONS.memory, cpus: VM_OPTIONS.cpus, accel: VM_OPTIONS.accel, qemu: VM_OPTIONS.qemu, kernel: VM_OPTIONS.kernel, timeout: VM_OPTIONS.timeout,
      display: { type: "boolean" }, net: { type: "boolean" }, until: { type: "string" }, log: { type: "string" },
    },
    load: async () => (await import("../iso/command.js")).bootIsoCommand,
  },
};
