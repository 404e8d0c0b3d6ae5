// The bench's output: a plain table on stdout and, with --json FILE, the same figures with every
// sample, the host's load and the options used.
import fs from "node:fs/promises";
import os from "node:os";
import { formatValue, relativeSpread, type Figure, type Goal, type Ratio } from "./stats.js";

export interface BenchReport {
  startedAt: string;
  durationS: number;
  host: { cpus: number; platform: string; node: string; loadAverageStart: number[]; loadAverageEnd: number[] };
  options: Record<string, unknown>;
  figures: Figure[];
  ratios: Ratio[];
  goals: Goal[];
  notes: string[];
  /** Sections that failed, with why; their figures are missing. */
  errors: string[];
}

/** Above this relative spread a figure is flagged: rerun it on a quieter machine. */
const UNSTABLE = 0.1;

function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  return rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i])).join("  ").trimEnd());
}

export function formatReport(report: BenchReport): string[] {
  const lines: string[] = [];
  const rows = [["what", "median", "min–max", "runs", "spread", "note"]];
  for (const f of report.figures) {
    const spread = relativeSpread(f);
    rows.push([
      f.label,
      formatValue(f.median, f.unit),
      `${formatValue(f.min, f.unit)} – ${formatValue(f.max, f.unit)}`,
      String(f.samples.length),
      Number.isFinite(spread) ? `${Math.round(spread * 100)}%${spread > UNSTABLE && f.samples.length > 1 ? " !" : ""}` : "",
      f.note ?? "",
    ]);
  }
  if (report.figures.length > 0) lines.push(...table(rows), "");
  const emulation = report.ratios.find((r) => r.id === "emulation.ratio");
  if (report.ratios.length > 0) {
    const ratioRows = [["ratio", "value", "vs emulation alone"]];
    for (const r of report.ratios) {
      const versus = emulation && r !== emulation ? `${(r.value / emulation.value).toFixed(2)}× the emulation ratio` : "";
      ratioRows.push([r.label, `${r.value.toFixed(1)}×`, versus]);
    }
    lines.push(...table(ratioRows), "");
  }
  for (const g of report.goals) {
    const f = report.figures.find((x) => x.id === g.figure);
    lines.push(`goal: ${g.label}: ${g.met ? "met" : "NOT met"} (median ${f ? formatValue(f.median, f.unit) : "?"})`);
  }
  const unstable = report.figures.filter((f) => f.samples.length > 1 && relativeSpread(f) > UNSTABLE);
  if (unstable.length > 0) lines.push(`! spread above ${UNSTABLE * 100}% of the median: ${unstable.map((f) => f.id).join(", ")}; rerun on a quieter machine before comparing`);
  // Only the load at start tells of other work: by the end, the bench's own VMs are in the average.
  const busy = report.host.loadAverageStart[0] > report.host.cpus / 2;
  lines.push(`host: ${report.host.cpus} CPUs, load average ${report.host.loadAverageStart[0].toFixed(1)} at start${busy ? " (busy: treat times as upper bounds)" : ""}, ${report.host.loadAverageEnd[0].toFixed(1)} at end (the bench's own load included); bench took ${report.durationS.toFixed(0)} s`);
  for (const note of report.notes) lines.push(`note: ${note}`);
  for (const error of report.errors) lines.push(`error: ${error}`);
  return lines;
}

export function hostFacts(loadAverageStart: number[]): BenchReport["host"] {
  return { cpus: os.availableParallelism(), platform: `${process.platform} ${os.release()}`, node: process.version, loadAverageStart, loadAverageEnd: os.loadavg() };
}

export async function writeJsonReport(file: string, report: BenchReport): Promise<void> {
  const temp = `${file}.tmp-${process.pid}`;
  await fs.writeFile(temp, JSON.stringify(report, null, 2) + "\n");
  await fs.rename(temp, file);
}
