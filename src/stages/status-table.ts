// How `zilchboot status` prints a ChainStatus: one aligned row per stage, then totals, then what is
// not built, not locked, without provenance or never run in a VM, so gaps are named, not implied.
import { alignColumns } from "../text-table.js";
import type { ChainStatus, RunSummary, StageStatus } from "./status.js";

/** 45s, 14m33s, 1h26m. */
export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

/** "QEMU tcg, 2 vCPUs", "native, 1 job", "v86, 1 vCPU"; a backfilled run is marked "*". */
export function describeRun(run: RunSummary): string {
  const unit = run.runner === "native" ? "job" : "vCPU";
  const count = run.cpus === null ? "" : `, ${run.cpus} ${unit}${run.cpus === 1 ? "" : "s"}`;
  // QEMU's engine starts with its accelerator ("tcg,thread=multi", "kvm, 9p over …").
  const accel = run.runner === "qemu" ? /^[a-z0-9]+/.exec(run.engine)?.[0] : undefined;
  const name = run.runner === "qemu" ? "QEMU" : run.runner;
  return `${name}${accel ? ` ${accel}` : ""}${count}${run.backfilledFrom ? "*" : ""}`;
}

/** Runs described alike are counted once: "native, 1 job ×2; QEMU tcg, 2 vCPUs". */
export function describeRuns(runs: RunSummary[]): string {
  const counts = new Map<string, number>();
  for (const run of runs) counts.set(describeRun(run), (counts.get(describeRun(run)) ?? 0) + 1);
  return [...counts].map(([text, n]) => (n > 1 ? `${text} ×${n}` : text)).join("; ");
}

const STORE_WORDS: Record<StageStatus["store"], string> = {
  "in-store": "in store",
  "not-built": "not built",
  "unknown-until-inputs-built": "after inputs",
};

export const BACKFILLED_FOOTNOTE = "* transcribed from a hand-kept table in docs/ (docs/locks.md, docs/chain.md) into backfilled statements, not written by the run itself";

function row(s: StageStatus): string[] {
  const produced = s.producedBy ? describeRun(s.producedBy) : s.locked === null ? "-" : s.provenance === "none" ? "(locked before provenance)" : "(not recorded)";
  const time = s.typicalWallSeconds === null ? "-" : `${formatDuration(s.typicalWallSeconds)}${s.wallFrom === "store" ? " (store)" : ""}`;
  return [s.stage, s.locked ? `locked ${s.locked.slice(0, 8)}` : "not locked", STORE_WORDS[s.store], produced, describeRuns(s.reproducedBy) || "-", time];
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

export function formatStatus(status: ChainStatus): string[] {
  const t = status.totals;
  const lines = alignColumns([["stage", "lock", "store", "produced by", "reproduced by", "typical time"], ...status.stages.map(row)]);
  lines.push("");
  lines.push(`${plural(t.stages, "stage")}: ${t.locked} locked (${t.withProvenance} with provenance, of which ${t.ranInVm} ran in a VM); ${t.inStore} in the store, ${t.notBuilt} not built, ${t.unknown} known only after their inputs are built`);
  lines.push(`typical wall time of the whole chain: ${formatDuration(t.wallSeconds)}${t.withoutWallTime > 0 ? ` (${plural(t.withoutWallTime, "stage")} without a time)` : ""}`);
  const names = (pick: (s: StageStatus) => boolean) => status.stages.filter(pick).map((s) => s.stage);
  const gaps: Array<[string, string[]]> = [
    ["not locked", names((s) => s.locked === null)],
    ["locked without provenance", names((s) => s.locked !== null && s.provenance === "none")],
    ["locked, never run in a VM", names((s) => s.provenance !== "none" && ![s.producedBy, ...s.reproducedBy].some((r) => r && (r.runner === "qemu" || r.runner === "v86")))],
    ["lock entries without a recipe", status.lockWithoutRecipe],
  ];
  for (const [what, list] of gaps) if (list.length > 0) lines.push(`${what}: ${list.join(", ")}`);
  if (status.stages.some((s) => [s.producedBy, ...s.reproducedBy].some((r) => r?.backfilledFrom))) {
    lines.push(BACKFILLED_FOOTNOTE);
  }
  lines.push("after inputs: the input hash depends on outputs (or a seed) not built here yet; 'zilchboot plan STAGE' says which");
  return lines;
}
