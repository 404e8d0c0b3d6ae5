// The pure planner: verdicts from facts alone (no files, no store, no VM).
import assert from "node:assert/strict";
import { test } from "node:test";
import { decideStep, describeStep, planStages, verdictWord, type PlanFacts, type StageFacts } from "../../src/stages/plan.js";
import type { StageRecipe } from "../../src/stages/recipe.js";
import type { StoreEntry } from "../../src/store/store.js";

function facts(name: string, inputs: string[], recipeTree = `tree-${name}`, runner: StageRecipe["runner"] = "seed-tcc"): StageFacts {
  const stage: StageRecipe = { name, description: "", runner, program: "x.c", args: [], sources: [{ pin: "musl", strip: 0 }], inputs, timeoutSeconds: 1, memoryMiB: 1, small: false, arch: "x86_64", dir: `/recipes/${name}` };
  return { stage, recipeTree, sources: { musl: "m" } };
}

function store(outputs: Map<string, string>): PlanFacts["store"] {
  return { find: (stage, hash) => (outputs.has(`${stage}/${hash}`) ? ({ record: { outputSha256: outputs.get(`${stage}/${hash}`) } } as StoreEntry) : null) };
}

const base = { guestTree: "g", seeds: { x86_64: "s" }, lock: { stages: { "1-a": { output: "out-a" } } } };

test("stored stages are reused; a missing one is built with the lock's expected output feeding the next", () => {
  const stages = [facts("1-a", []), facts("2-b", ["1-a"])];
  const first = planStages({ ...base, stages, store: store(new Map()) });
  assert.deepEqual(first.map((s) => [s.stage.name, s.verdict, s.locked]), [["1-a", "build", "out-a"], ["2-b", "build", null]]);
  assert.ok(first[1].inputHash, "2-b's input hash is known through the lock");
  assert.match(first[1].reason, /if 1-a reproduces the locked output/);

  const stored = new Map([[`1-a/${first[0].inputHash}`, "out-a"], [`2-b/${first[1].inputHash}`, "out-b"]]);
  const second = planStages({ ...base, stages, store: store(stored) });
  assert.deepEqual(second.map((s) => s.verdict), ["reuse", "reuse"]);

  const edited = planStages({ ...base, stages: [facts("1-a", [], "tree-a-edited"), facts("2-b", ["1-a"])], store: store(stored) });
  assert.deepEqual(edited.map((s) => s.verdict), ["build", "reuse"], "same locked output of 1-a: 2-b's inputs are unchanged");

  const forced = planStages({ ...base, stages, store: store(stored) }, "2-b");
  assert.deepEqual(forced.map((s) => s.verdict), ["reuse", "build"]);
  assert.equal(forced[1].inputHash, second[1].inputHash, "forcing changes the verdict, not the hash");
});

test("without a stored or locked output, dependants are unknown until their inputs are built", () => {
  const plan = planStages({ ...base, lock: { stages: {} }, stages: [facts("1-a", []), facts("2-b", ["1-a"])], store: store(new Map()) });
  assert.equal(plan[1].verdict, "unknown-until-inputs-built");
  assert.equal(plan[1].inputHash, null);
  assert.match(plan[1].reason, /input 1-a has no known output yet/);
});

test("an unknown seed leaves seed-tcc stages unknown, shell stages not", () => {
  const world = { ...base, seeds: {}, store: store(new Map()) };
  assert.equal(decideStep(facts("1-a", []), world, new Map()).verdict, "unknown-until-inputs-built");
  assert.match(decideStep(facts("1-a", []), world, new Map()).reason, /x86_64 seed is not built yet/);
  const shell = decideStep(facts("2-b", ["1-a"], "t", "shell"), world, new Map([["1-a", { sha256: "o", from: "store" as const }]]));
  assert.equal(shell.verdict, "build");
  assert.equal(shell.inputs?.seedSha256, null);
  assert.equal(shell.inputs?.guestTree, null);
});

test("the input hash follows the inputs' actual outputs, whatever told us about them", () => {
  const fromStore = decideStep(facts("2-b", ["1-a"]), { ...base, store: store(new Map()) }, new Map([["1-a", { sha256: "x", from: "store" as const }]]));
  const fromBuild = decideStep(facts("2-b", ["1-a"]), { ...base, store: store(new Map()) }, new Map([["1-a", { sha256: "x", from: "built" as const }]]));
  const other = decideStep(facts("2-b", ["1-a"]), { ...base, store: store(new Map()) }, new Map([["1-a", { sha256: "y", from: "built" as const }]]));
  assert.equal(fromStore.inputHash, fromBuild.inputHash);
  assert.notEqual(other.inputHash, fromBuild.inputHash);
});

test("a stage the store lacks and the cache holds is remote, and its output decides its dependants' input hashes", () => {
  const stages = [facts("1-a", []), facts("2-b", ["1-a"])];
  const noLock = { ...base, lock: { stages: {} }, stages, store: store(new Map()) };
  const bare = planStages(noLock);
  assert.deepEqual(bare.map((s) => s.verdict), ["build", "unknown-until-inputs-built"]);
  const remote = { find: (stage: string, hash: string) => (stage === "1-a" && hash === bare[0].inputHash ? { output: "out-remote", why: "the cache has it" } : null) };
  const plan = planStages({ ...noLock, remote });
  assert.deepEqual(plan.map((s) => [s.stage.name, s.verdict]), [["1-a", "remote"], ["2-b", "build"]]);
  assert.equal(plan[0].remote?.output, "out-remote");
  assert.equal(plan[0].reason, "the cache has it");
  assert.equal(plan[1].inputs?.dependencies["1-a"], "out-remote");
  assert.match(describeStep(plan[0]), /^1-a +remote +input [0-9a-f]{16} +out out-remote +the cache has it$/);
  const stored = planStages({ ...noLock, remote, store: store(new Map([[`1-a/${bare[0].inputHash}`, "out-local"]])) });
  assert.deepEqual(stored.map((s) => verdictWord(s.verdict)), ["local", "build"], "the store comes first");
});
