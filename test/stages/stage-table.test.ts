// The README's stage table is generated: its copy in README.md must be what the checkout's recipes,
// lock and provenance statements say today, and each cell must follow from those files.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { recipesDir, repoRoot } from "../../src/paths.js";
import type { ProvenanceStatement } from "../../src/provenance/statement.js";
import { afterInputs, firstClause, readTableStages, stageTable, TABLE_BEGIN, TABLE_END, withTable } from "../../src/stages/stage-table.js";

test("README.md's stage table is the one recipes/, the lock and recipes/provenance/ give (npm run readme:table)", async () => {
  const recipes = recipesDir({});
  const table = stageTable(await readTableStages(recipes, path.join(recipes, "lock.json")));
  const readme = await fs.readFile(path.join(repoRoot, "README.md"), "utf8");
  assert.equal(readme, withTable(readme, table), "README.md's stage table is stale: run `npm run readme:table`");
  // Every stage folder has its row, each after its inputs.
  for (const name of (await fs.readdir(recipes, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name)) {
    const hasRecipe = await fs.stat(path.join(recipes, name, "stage.json")).then(() => true, () => false);
    if (hasRecipe) assert.ok(table.some((line) => line.startsWith(`| \`${name}\` |`)), `no row for ${name}`);
  }
});

function statement(stage: string, output: string, role: "lock" | "reproduction", runner: string, cpus: number, wallSeconds: number | null, backfilledFrom?: string): ProvenanceStatement {
  return {
    _type: "https://in-toto.io/Statement/v1",
    subject: [{ name: stage, digest: { sha256: output } }],
    predicateType: "https://slsa.dev/provenance/v1",
    predicate: {
      buildDefinition: { buildType: "test", externalParameters: { stage, inputHash: null }, resolvedDependencies: [] },
      runDetails: {
        builder: { id: "test" },
        metadata: {},
        byproducts: [{ name: "zilchboot-run", annotations: { role, runner, engine: runner === "qemu" ? "tcg" : "native (namespaces, not a VM)", cpus, wallSeconds, ...(backfilledFrom ? { backfilledFrom } : {}) } }],
      },
    },
  };
}

test("a row says locked and how: VM-verified, native only, no evidence, or not locked; times are medians of runs that have one", () => {
  const a = "a".repeat(64);
  const b = "b".repeat(64);
  const table = stageTable([
    { name: "1-vm", description: "Thing one, built by x", locked: a, statements: [statement("1-vm", a, "lock", "native", 2, 10), statement("1-vm", a, "reproduction", "qemu", 2, 30)] },
    { name: "2-native", description: "Thing two (with notes): more", locked: a, statements: [statement("2-native", a, "lock", "native", 1, null, "docs/x.md"), statement("2-native", a, "reproduction", "native", 1, 8)] },
    // Evidence about an older output says nothing about the locked one.
    { name: "3-stale", description: "Thing three; more", locked: a, statements: [statement("3-stale", b, "lock", "qemu", 2, 5)] },
    { name: "4-open", description: "Thing | four", locked: null, statements: [] },
  ]);
  assert.deepEqual(table.slice(2, 6), [
    "| `1-vm` | Thing one | locked, VM-verified `aaaaaaaa` | native, 2 jobs | QEMU tcg, 2 vCPUs | 20s |",
    "| `2-native` | Thing two | locked, native only `aaaaaaaa` | native, 1 job* | native, 1 job | 8s |",
    "| `3-stale` | Thing three | locked, no evidence recorded `aaaaaaaa` | - | - | - |",
    "| `4-open` | Thing \\| four | not locked | - | - | - |",
  ]);
  assert.ok(table.at(-1)!.startsWith("\\* transcribed"), "the backfilled mark is explained, escaped from Markdown's list syntax");
});

test("stages come after their inputs, ties in numeric order; the description's first clause names what a stage builds", () => {
  const order = afterInputs([
    { name: "2a9a-llvm", inputs: ["2a9a0-llvm-objects"] },
    { name: "2a9a0-llvm-objects", inputs: ["1-base", "9-not-a-stage"] },
    { name: "1-base", inputs: [] },
  ]).map((s) => s.name);
  assert.deepEqual(order, ["1-base", "2a9a0-llvm-objects", "2a9a-llvm"]);
  assert.equal(firstClause("GNU make 4.4.1, built by tcc"), "GNU make 4.4.1");
  assert.equal(firstClause("Linux 6.1.192's UAPI headers (Debian's)"), "Linux 6.1.192's UAPI headers");
});

test("a README without the markers is refused, not rewritten", () => {
  assert.throws(() => withTable("# no table here\n", ["| x |"]), /lacks the stage table's markers/);
  assert.equal(withTable(`a\n${TABLE_BEGIN}\nold\n${TABLE_END}\nb`, ["new"]), `a\n${TABLE_BEGIN}\nnew\n${TABLE_END}\nb`);
});
