// `status` over a fake chain: lock and store state per stage, who produced and reproduced each lock
// entry, typical times, totals and the gaps named; the table's columns line up.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { attestRun } from "../../src/provenance/provenance-log.js";
import { buildTarget, verifyTarget } from "../../src/stages/chain.js";
import { chainNames, gatherStatus } from "../../src/stages/status-facts.js";
import { describeRun, formatDuration, formatStatus } from "../../src/stages/status-table.js";
import { median } from "../../src/stages/status.js";
import { fakeSession, tempRoot, writeStage } from "../fixtures/fake-vm.js";

test("chain order puts each stage after its inputs and numbers in numeric order", async (t) => {
  const root = await tempRoot("status-order");
  t.after(() => fs.rm(root, { recursive: true, force: true }));
  for (const name of ["2a10-late", "2a9-early", "1-base"]) await writeStage(path.join(root, "recipes"), name);
  assert.deepEqual(chainNames(path.join(root, "recipes")), ["1-base", "2a9-early", "2a10-late"]);
  await writeStage(path.join(root, "recipes"), "2a9-early", { inputs: ["2a10-late"] });
  assert.deepEqual((await gatherStatus(await fakeSession(root))).stages.map((s) => s.stage), ["1-base", "2a10-late", "2a9-early"]);
});

test("status of an empty store: nothing locked, built or timed, and every gap named", async (t) => {
  const root = await tempRoot("status-empty");
  t.after(() => fs.rm(root, { recursive: true, force: true }));
  await writeStage(path.join(root, "recipes"), "1-a");
  await writeStage(path.join(root, "recipes"), "2-b", { inputs: ["1-a"] });
  const session = await fakeSession(root);
  const status = await gatherStatus(session);
  assert.deepEqual(status.stages.map((s) => [s.stage, s.locked, s.store, s.provenance, s.typicalWallSeconds]), [
    ["1-a", null, "not-built", "none", null],
    ["2-b", null, "unknown-until-inputs-built", "none", null],
  ]);
  assert.deepEqual(status.totals, { stages: 2, locked: 0, inStore: 0, notBuilt: 1, unknown: 1, withProvenance: 0, ranInVm: 0, wallSeconds: 0, withoutWallTime: 2 });
  const lines = formatStatus(status);
  assert.match(lines[1], /^1-a +not locked +not built +- +- +-$/);
  assert.ok(lines.includes("not locked: 1-a, 2-b"));
});

test("status of a locked, built and reproduced chain: in store, produced and reproduced by, typical time", async (t) => {
  const root = await tempRoot("status-built");
  t.after(() => fs.rm(root, { recursive: true, force: true }));
  const recipes = path.join(root, "recipes");
  await writeStage(recipes, "1-a");
  await writeStage(recipes, "2-b", { inputs: ["1-a"] });
  const session = await fakeSession(root);
  await buildTarget(session, "2-b");
  const single = await fakeSession(root, { cpus: 1 });
  await attestRun(single.lockFile, (await verifyTarget(single, "2-b")).record, "reproduction");
  // A stage locked before provenance existed, and a lock entry whose recipe is gone.
  await writeStage(recipes, "3-c", { inputs: ["2-b"] });
  const lock = JSON.parse(await fs.readFile(session.lockFile, "utf8")) as { stages: Record<string, { output: string }> };
  lock.stages["3-c"] = { output: "c".repeat(64) };
  lock.stages["0-gone"] = { output: "0".repeat(64) };
  await fs.writeFile(session.lockFile, JSON.stringify(lock));

  const status = await gatherStatus(session);
  const [a, b, c] = status.stages;
  assert.deepEqual([a.store, b.store, c.store], ["in-store", "in-store", "not-built"]);
  assert.equal(b.locked, lock.stages["2-b"].output);
  assert.deepEqual([b.producedBy?.runner, b.producedBy?.cpus, b.reproducedBy.map((r) => r.cpus)], ["fake", 2, [1]]);
  assert.deepEqual([b.provenance, b.wallFrom, b.typicalWallSeconds], ["recorded", "provenance", 0]);
  assert.deepEqual([c.provenance, c.producedBy, c.typicalWallSeconds], ["none", null, null]);
  assert.deepEqual(status.lockWithoutRecipe, ["0-gone"]);
  assert.deepEqual([status.totals.locked, status.totals.withProvenance, status.totals.inStore, status.totals.ranInVm], [3, 2, 2, 0]);

  const lines = formatStatus(status);
  const header = lines[0];
  assert.match(header, /^stage +lock +store +produced by +reproduced by +typical time$/);
  // Every row's columns start where the header's do (no cell is empty: a blank one is "-").
  const columnStarts = [...header.matchAll(/ {2,}(?=\S)/g)].map((m) => m.index! + m[0].length);
  assert.equal(columnStarts.length, 5);
  for (const row of lines.slice(1, 4)) for (const start of columnStarts) assert.ok(row[start - 1] === " " && row[start] !== " ", `${row}: a column starts at ${start}`);
  assert.match(lines[2], new RegExp(`^2-b +locked ${b.locked!.slice(0, 8)} +in store +fake, 2 vCPUs +fake, 1 vCPU +0s$`));
  assert.match(lines[3], /^3-c +locked cccccccc +not built +\(locked before provenance\) +- +-$/);
  assert.ok(lines.includes("locked without provenance: 3-c"));
  assert.ok(lines.includes("locked, never run in a VM: 1-a, 2-b"));
  assert.ok(lines.includes("lock entries without a recipe: 0-gone"));
});

test("runs read as people say them: QEMU's accelerator, vCPUs or jobs, backfilled ones marked", () => {
  const run = { engine: "tcg,thread=multi", wallSeconds: 1, date: null };
  assert.equal(describeRun({ ...run, runner: "qemu", cpus: 2 }), "QEMU tcg, 2 vCPUs");
  assert.equal(describeRun({ ...run, runner: "native", engine: "native (namespaces, not a VM)", cpus: 1 }), "native, 1 job");
  assert.equal(describeRun({ ...run, runner: "v86", engine: "v86 (wasm)", cpus: null, backfilledFrom: "README.md stage table" }), "v86*");
  assert.deepEqual([formatDuration(45.4), formatDuration(873), formatDuration(5175.7)], ["45s", "14m33s", "1h26m"]);
  assert.deepEqual([median([]), median([3, 1, 2]), median([4, 1, 2, 3])], [null, 2, 2.5]);
});
