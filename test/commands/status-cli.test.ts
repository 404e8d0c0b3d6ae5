// `zilchboot status` through the CLI on temporary recipes and an empty home: an aligned table with
// totals, or the same data as JSON; nothing is built, and the home stays empty.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { execa } from "execa";
import { tempRoot, writeStage } from "../fixtures/fake-vm.js";
import { CLI } from "../helpers/home.js";

async function sandbox(t: { after(fn: () => Promise<void>): void }) {
  const root = await tempRoot("status-cli");
  t.after(() => fs.rm(root, { recursive: true, force: true }));
  const recipes = path.join(root, "recipes");
  await writeStage(recipes, "1-a");
  await writeStage(recipes, "2-b", { inputs: ["1-a"] });
  await fs.writeFile(path.join(recipes, "lock.json"), JSON.stringify({ stages: { "1-a": { output: "a".repeat(64) } } }));
  // No seed anywhere: the seed-tcc stages' input hashes are unknown, and status says so.
  const env = { ZILCHBOOT_HOME: path.join(root, "home"), ZILCHBOOT_RECIPES: recipes, ZILCHBOOT_IMAGES: path.join(root, "images"), ZILCHBOOT_DOWNLOADS: path.join(root, "cache") };
  return { root, env };
}

test("status prints every stage in chain order with its lock state, then totals, and builds nothing", async (t) => {
  const { root, env } = await sandbox(t);
  const result = await execa("node", [CLI, "status"], { reject: false, env });
  assert.equal(result.exitCode, 0, result.stderr);
  const lines = result.stdout.split("\n");
  assert.match(lines[0], /^stage +lock +store +produced by +reproduced by +typical time$/);
  assert.match(lines[1], /^1-a +locked aaaaaaaa +after inputs +\(locked before provenance\) +- +-$/);
  assert.match(lines[2], /^2-b +not locked +after inputs +- +- +-$/);
  assert.ok(lines.includes("2 stages: 1 locked (0 with provenance, of which 0 ran in a VM); 0 in the store, 0 not built, 2 known only after their inputs are built"), result.stdout);
  assert.ok(lines.includes("locked without provenance: 1-a"));
  assert.equal(await fs.stat(path.join(root, "home", "store")).then(() => true, () => false), false, "no store was made");
});

test("status --json gives the same rows and totals as data", async (t) => {
  const { env } = await sandbox(t);
  const result = await execa("node", [CLI, "status", "--json"], { reject: false, env });
  assert.equal(result.exitCode, 0, result.stderr);
  const json = JSON.parse(result.stdout) as { stages: Array<Record<string, unknown>>; totals: Record<string, number>; lockWithoutRecipe: string[] };
  assert.deepEqual(Object.keys(json), ["stages", "totals", "lockWithoutRecipe"]);
  assert.deepEqual(json.stages.map((s) => [s.stage, s.locked, s.store, s.provenance]), [
    ["1-a", "a".repeat(64), "unknown-until-inputs-built", "none"],
    ["2-b", null, "unknown-until-inputs-built", "none"],
  ]);
  assert.deepEqual(Object.keys(json.stages[0]).sort(), ["inputHash", "locked", "producedBy", "provenance", "reproducedBy", "stage", "store", "storeReason", "typicalWallSeconds", "wallFrom"]);
  assert.equal(json.totals.locked, 1);
  assert.deepEqual(json.lockWithoutRecipe, []);
});

test("status takes no stage names", async () => {
  const result = await execa("node", [CLI, "status", "1-a"], { reject: false });
  assert.equal(result.exitCode, 2);
  assert.equal(result.stderr, "zilchboot: status takes no arguments, got 1-a; run 'zilchboot status --help'");
});
