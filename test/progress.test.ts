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
