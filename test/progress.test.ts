// The build's summary table and --json report: stages skipped as not needed are listed with the
// reason, and each finished stage carries what the shared cache did for it.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { Progress } from "../src/progress.js";
import type { StepReport } from "../src/stages/chain.js";
import type { BuildRecord } from "../src/store/store.js";
import { tempDir } from "./helpers/provisioned.js";

const record = { inputHash: "1".repeat(64), outputSha256: "2".repeat(64), outputBytes: 2048, outputFiles: 3 } as BuildRecord;

test("the --json report lists skipped stages with why, and the cache's outcomes per stage", async () => {
  const dir = await tempDir("progress");
  const progress = new Progress(process.stderr, false);
  progress.skipped("0-base", "not needed: 1-top comes from the store or the shared cache");
  const pulled: StepReport = { cached: true, pulled: true, record, run: null, logFile: null, entry: null };
  progress.done("1-top", pulled, 1.25, ["ignored: the cache served other bytes", "pulled"]);
  progress.done("2-leaf", { ...pulled, pulled: false }, 0.5);
  const file = path.join(dir, "report.json");
  await progress.writeJson(file, "2-leaf");
  const report = JSON.parse(await fs.readFile(file, "utf8")) as { ok: boolean; skipped: unknown[]; stages: { stage: string; action: string; cache?: string[] }[] };
  assert.equal(report.ok, true);
  assert.deepEqual(report.skipped, [{ stage: "0-base", reason: "not needed: 1-top comes from the store or the shared cache" }]);
  assert.deepEqual(report.stages.map((s) => [s.stage, s.action, s.cache]), [["1-top", "pulled", ["ignored: the cache served other bytes", "pulled"]], ["2-leaf", "cached", undefined]]);
  const table = progress.summary();
  assert.match(table[1], /^0-base +skipped +- +- +-$/);
  assert.match(table[2], /^1-top +pulled +1\.3s /);
  await fs.rm(dir, { recursive: true, force: true });
});

/** A stream that keeps what is written, as a TTY would get it. */
function recorder() {
  const writes: string[] = [];
  return { writes, out: { columns: 80, write: (chunk: string) => (writes.push(chunk), true) } };
}

test("a log line never lands inside the live line: cleared first, the live line drawn again after", (t) => {
  t.mock.timers.enable({ apis: ["setInterval"] });
  const { writes, out } = recorder();
  const progress = new Progress(out as unknown as NodeJS.WriteStream, true);
  progress.start("0-smoke");
  progress.consoleLine("share: /sources");
  const logged: string[] = [];
  progress.around((line) => { writes.push(`[log] ${line}`); logged.push(line); })("0-smoke: a warning");
  assert.deepEqual(logged, ["0-smoke: a warning"]);
  assert.equal(writes[0], "\r\x1b[2K", "the live line is cleared before the log line");
  assert.equal(writes[1], "[log] 0-smoke: a warning");
  assert.ok(writes[2].startsWith("\r\x1b[2K0-smoke "), "and drawn again after it");
  assert.match(writes[2].slice(5), /^0-smoke \d+s \| share: \/sources$/);
  progress.stopLive();
  // With no stage running there is no live line to clear.
  writes.length = 0;
  progress.around((line) => writes.push(`[log] ${line}`))("after");
  assert.deepEqual(writes, ["[log] after"]);
});

test("off a TTY a running stage says now and then that it still runs, with its last console line", (t) => {
  t.mock.timers.enable({ apis: ["setInterval"] });
  const { writes, out } = recorder();
  const progress = new Progress(out as unknown as NodeJS.WriteStream, false, 60_000);
  progress.start("2a9b-clang");
  t.mock.timers.tick(59_000);
  assert.deepEqual(writes, []);
  progress.consoleLine("[ 41%] Building CXX object lib/Sema/SemaExpr.cpp.o");
  t.mock.timers.tick(1_000);
  assert.deepEqual(writes, ["2a9b-clang: still running after 0 min (last console line: [ 41%] Building CXX object lib/Sema/SemaExpr.cpp.o)\n"]);
  progress.stopLive();
  t.mock.timers.tick(120_000);
  assert.equal(writes.length, 1, "nothing once the stage is done");
  // No heartbeat asked for: nothing.
  const quiet = recorder();
  const silent = new Progress(quiet.out as unknown as NodeJS.WriteStream, false);
  silent.start("x");
  t.mock.timers.tick(600_000);
  silent.stopLive();
  assert.deepEqual(quiet.writes, []);
});
