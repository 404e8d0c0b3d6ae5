import assert from "node:assert/strict";
import { test } from "node:test";
import { planStages, type StageFacts } from "../../src/stages/plan.js";
import type { StageRecipe } from "../../src/stages/recipe.js";

function facts(name: string, inputs: string[], recipeTree = `tree-${name}`): StageFacts {
  const stage: StageRecipe = { name, description: "", runner: "seed-tcc", program: "x.c", args: [], sources: [{ pin: "musl", strip: 0 }], inputs, timeoutSeconds: 1, memoryMiB: 1, small: false, arch: "x86_64", dir: `/recipes/${name}` };
  return { stage, recipeTree, sources: { musl: "m" } };
}

test("stored stages are reused; a missing one is built with the lock's expected output feeding the next", () => {
  const base = { guestTree: "g", seedSha256: "s", lock: { stages: { "1-a": { output: "out-a" } } } };
  const first = planStages({ ...base, stages: [facts("1-a", []), facts("2-b", ["1-a"])], stored: () => null });
  assert.deepEqual(first.map((s) => [s.name, s.action, s.output]), [["1-a", "build", "out-a"], ["2-b", "build", null]]);
  assert.ok(first[1].inputHash, "2-b's input hash is known through the lock");

  const stored = new Map([[`1-a/${first[0].inputHash}`, "out-a"], [`2-b/${first[1].inputHash}`, "out-b"]]);
  const second = planStages({ ...base, stages: [facts("1-a", []), facts("2-b", ["1-a"])], stored: (stage, hash) => stored.get(`${stage}/${hash}`) ?? null });
  assert.deepEqual(second.map((s) => s.action), ["reuse", "reuse"]);

  const edited = planStages({ ...base, stages: [facts("1-a", [], "tree-a-edited"), facts("2-b", ["1-a"])], stored: (stage, hash) => stored.get(`${stage}/${hash}`) ?? null });
  assert.deepEqual(edited.map((s) => s.action), ["build", "reuse"], "same locked output of 1-a: 2-b's inputs are unchanged");
});

test("without a stored or locked output, dependants wait for their inputs", () => {
  const plan = planStages({ guestTree: "g", seedSha256: "s", lock: { stages: {} }, stages: [facts("1-a", []), facts("2-b", ["1-a"])], stored: () => null });
  assert.equal(plan[1].inputHash, null);
  assert.match(plan[1].reason, /input 1-a has no known output yet/);
});
