// The bench's arithmetic and table: what the figures claim must follow from their samples.
import assert from "node:assert/strict";
import { test } from "node:test";
import { figure, goal, median, ratio, relativeSpread } from "../../../scripts/bench/stats.js";
import { formatReport, type BenchReport } from "../../../scripts/bench/report.js";

test("median takes the middle sample, or the mean of the two middle ones, whatever the order", () => {
  assert.equal(median([5, 1, 3]), 3);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.ok(Number.isNaN(median([])));
});

test("a figure reports median, min and max of its samples and a ratio divides medians", () => {
  const native = figure("n", "native", "s", [4.1, 3.9, 4.0]);
  const qemu = figure("q", "qemu", "s", [41, 39, 50]);
  assert.deepEqual([native.median, native.min, native.max], [4.0, 3.9, 4.1]);
  assert.equal(ratio("r", "qemu / native", qemu, native).value, 41 / 4.0);
  assert.ok(Math.abs(relativeSpread(qemu) - 11 / 41) < 1e-12);
});

test("a goal is met only when the median is within its limit", () => {
  assert.equal(goal("g", "fast", figure("f", "f", "s", [0.4, 0.6, 0.45]), 0.5).met, true);
  assert.equal(goal("g", "fast", figure("f", "f", "s", [0.4, 0.6, 0.55]), 0.5).met, false);
});

test("the table shows each ratio next to the emulation ratio, unmet goals, unstable figures and a busy host", () => {
  const native = figure("emulation.native", "compile native", "s", [4, 4, 4]);
  const qemu = figure("emulation.qemu", "compile qemu", "s", [40, 40, 40]);
  const stage = figure("stages.1.qemu", "stage qemu", "s", [150, 100, 200]);
  const stageNative = figure("stages.1.native", "stage native", "s", [10, 10, 10]);
  const noop = figure("cli.noop.chain", "no-op", "s", [0.9, 0.95, 0.92]);
  const report: BenchReport = {
    startedAt: "", durationS: 1, options: {}, notes: [], errors: [],
    host: { cpus: 2, platform: "linux", node: "v20", loadAverageStart: [0.1], loadAverageEnd: [3.0] },
    figures: [native, qemu, stage, stageNative, noop],
    ratios: [ratio("emulation.ratio", "emulation alone", qemu, native), ratio("stages.1.ratio", "stage 1 VM / native", stage, stageNative)],
    goals: [goal("cli.noop.goal", "no-op ≤ 0.5 s", noop, 0.5)],
  };
  const text = formatReport(report).join("\n");
  assert.match(text, /emulation alone\s+10\.0×/);
  assert.match(text, /stage 1 VM \/ native\s+15\.0×\s+1\.50× the emulation ratio/);
  assert.match(text, /goal: no-op ≤ 0\.5 s: NOT met \(median 0\.920 s\)/);
  assert.match(text, /spread above 10% of the median: stages\.1\.qemu;/);
  assert.doesNotMatch(text, /busy/, "the load at the end is the bench's own");
  report.host.loadAverageStart = [1.5];
  assert.match(formatReport(report).join("\n"), /load average 1\.5 at start \(busy: treat times as upper bounds\)/);
});
