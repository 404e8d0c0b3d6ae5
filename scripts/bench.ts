// `npm run bench [-- OPTIONS]`: speed figures with their spread, through the CLI in a temp home.
// Sections: cli (--help, plan, no-op build of the cached chain; goal ≤ 0.5 s), boot (QEMU and v86
// start → PID 1, accelerator verdicts), emulation (the same tcc.c compiles natively and in QEMU:
// the emulator's own cost), stages (stage 1 and 2a0 in the VM vs natively: emulation plus our
// overhead), cache (stage 1 and 2a1 pulled from a local nginx cache vs built) and transport
// (stage 1 with its shares over virtio-serial vs virtio-9p). Figures, not
// verdicts; run it on a quiet machine and read the spread column.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { bootSection } from "./bench/boot.js";
import { cacheSection } from "./bench/cache.js";
import { BenchHome, checkout } from "./bench/cli-home.js";
import { cliSection } from "./bench/cli-latency.js";
import { emulationSection } from "./bench/emulation.js";
import { formatReport, hostFacts, writeJsonReport, type BenchReport } from "./bench/report.js";
import type { SectionContext, SectionResult } from "./bench/section.js";
import { stagesSection } from "./bench/stages.js";
import { transportSection } from "./bench/transport.js";

const SECTIONS: Record<string, (ctx: SectionContext) => Promise<SectionResult>> = {
  cli: cliSection,
  boot: bootSection,
  emulation: emulationSection,
  stages: stagesSection,
  cache: cacheSection,
  transport: transportSection,
};

const USAGE = `usage: npm run bench -- [options]

  --only LIST      comma-separated sections (default: all, in this order): ${Object.keys(SECTIONS).join(",")}
  --runs N         samples per figure for VM and stage builds (default 3)
  --cli-runs N     samples per figure for CLI and boot latencies (default 5)
  --compiles N     tcc.c compiles per emulation run (default: calibrated so the native loop takes ≥ 4 s)
  --target STAGE   end of the chain for the no-op build and plan (default 2a1-binutils)
  --json FILE      also write every sample, the host's load and the options as JSON
  --keep           keep the temp home (store, logs, recipes copy) and print where it is

Anything that boots or builds runs as child processes 'node dist/src/cli.js …' with a temp
ZILCHBOOT_HOME and ZILCHBOOT_RECIPES; the download, kernel and seed caches are yours.`;

function fail(message: string): never {
  process.stderr.write(`bench: ${message}; run 'npm run bench -- --help'\n`);
  process.exit(2);
}

function count(raw: string | undefined, name: string, fallback: number, least: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < least) fail(`--${name} expects an integer ≥ ${least}, got ${JSON.stringify(raw)}`);
  return value;
}

let parsed;
try {
  parsed = parseArgs({
    options: {
      only: { type: "string" }, runs: { type: "string" }, "cli-runs": { type: "string" }, compiles: { type: "string" },
      target: { type: "string" }, json: { type: "string" }, keep: { type: "boolean" }, help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
} catch (error) {
  fail((error as Error).message);
}
const options = parsed.values;
if (options.help) {
  process.stdout.write(USAGE + "\n");
  process.exit(0);
}
const only = options.only ? options.only.split(",").map((s) => s.trim()).filter(Boolean) : Object.keys(SECTIONS);
const unknown = only.filter((name) => !(name in SECTIONS));
if (unknown.length > 0) fail(`unknown section ${unknown.join(", ")} (known: ${Object.keys(SECTIONS).join(", ")})`);
if (!fs.existsSync(path.join(checkout, "dist", "src", "cli.js"))) fail("dist/src/cli.js is missing: build first ('npm run build')");
const runs = count(options.runs, "runs", 3, 1);
const cliRuns = count(options["cli-runs"], "cli-runs", 5, 1);
const compiles = options.compiles === undefined ? undefined : count(options.compiles, "compiles", 0, 1);
const target = options.target ?? "2a1-binutils";

const log = (line: string) => process.stderr.write(`bench: ${line}\n`);
const loadAverageStart = os.loadavg();
const startedAt = new Date();
const home = await BenchHome.create(log);
const collected: SectionResult = { figures: [], ratios: [], goals: [], notes: [] };
const errors: string[] = [];
const ctx: SectionContext = { home, runs, cliRuns, compiles, target, log };
try {
  // Sections run in the fixed order of SECTIONS, cheap ones first.
  for (const name of Object.keys(SECTIONS).filter((s) => only.includes(s))) {
    const sectionStart = performance.now();
    log(`section ${name}`);
    try {
      const result = await SECTIONS[name](ctx);
      collected.figures.push(...result.figures);
      collected.ratios.push(...result.ratios);
      collected.goals.push(...result.goals);
      collected.notes.push(...result.notes);
    } catch (error) {
      errors.push(`${name}: ${(error as Error).message}`);
      log(`section ${name} failed: ${(error as Error).message}`);
    }
    log(`section ${name} took ${((performance.now() - sectionStart) / 1000).toFixed(0)} s`);
  }
} finally {
  await home.dispose(options.keep === true);
}
const report: BenchReport = {
  startedAt: startedAt.toISOString(),
  durationS: (Date.now() - startedAt.getTime()) / 1000,
  host: hostFacts(loadAverageStart),
  options: { only, runs, cliRuns, compiles: compiles ?? "calibrated", target },
  ...collected,
  errors,
};
process.stdout.write(formatReport(report).join("\n") + "\n");
if (options.json) await writeJsonReport(options.json, report);
process.exitCode = errors.length > 0 ? 1 : 0;
