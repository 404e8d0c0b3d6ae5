// What every bench section hands back, and what it is given.
import type { BenchHome } from "./cli-home.js";
import type { Figure, Goal, Ratio } from "./stats.js";

export interface SectionResult {
  figures: Figure[];
  ratios: Ratio[];
  goals: Goal[];
  /** Lines worth reading next to the figures (what was run, cross-checks that failed). */
  notes: string[];
}

export interface SectionContext {
  home: BenchHome;
  /** Samples per figure for the heavy parts (VM and stage builds). */
  runs: number;
  /** Samples per figure for the CLI latencies (each well under a second). */
  cliRuns: number;
  /** Fixed compile count for the emulation section; undefined: calibrated. */
  compiles?: number;
  /** The end of the cached chain for the no-op build. */
  target: string;
  log: (line: string) => void;
}

export function emptyResult(): SectionResult {
  return { figures: [], ratios: [], goals: [], notes: [] };
}
