// CI's static check of every recipe, without building: the checkout's recipes/ (read only) load
// through the real loaders, every name resolves, every shell script parses under stage 1's own
// busybox ash (`ash -n`), and `zilchboot plan` plans the chain to each of its ends.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { after, before, test } from "node:test";
import { repoRoot } from "../../src/paths.js";
import { zilchboot } from "../helpers/child-env.js";
import { copyRecipes, tempDir } from "../helpers/home.js";
import { provisioned } from "../helpers/provisioned.js";
import {
  closureInOrder,
  leafStages,
  libCoverageProblems,
  loadRecipes,
  referenceProblems,
  shellScripts,
  shellProviders,
  syntaxProblems,
  type LoadedRecipes,
} from "../helpers/recipe-checks.js";
import { sharedStage1, STAGE1, testHomeWithStage1 } from "../helpers/stage1.js";

const RECIPES = path.join(repoRoot, "recipes");

let checkout: LoadedRecipes;
let ash: string;
const cleanups: string[] = [];

before(async () => {
  checkout = await loadRecipes(RECIPES);
  // Stage 1's ash, from the tests' shared stage-1 entry (which CI builds before the tests): the
  // shell that runs every shell stage's program in the guest, so its parser is the one to satisfy.
  const stage1 = checkout.stages.find((s) => s.name === STAGE1);
  assert.ok(stage1?.provides?.shell, `${STAGE1} provides no shell`);
  ash = path.join((await sharedStage1()).outDir, stage1.provides.shell);
});

after(async () => {
  for (const dir of cleanups) await fs.rm(dir, { recursive: true, force: true });
});

test("every stage.json and pin file of the checkout loads through the schema-checking loaders", () => {
  assert.deepEqual(checkout.problems, []);
  assert.ok(checkout.pinFiles.includes("sources.json"), checkout.pinFiles.join(", "));
  assert.ok(checkout.stages.some((s) => s.runner === "shell"), "no shell stage: the ash checks would check nothing");
});

test("every source a stage names is a pin, every input and tool a stage, and every pin has a provider", () => {
  assert.deepEqual(referenceProblems(checkout, checkout.stages.map((s) => s.name)), []);
});

test("every shell stage's scripts and the phase library parse under stage 1's ash -n", async () => {
  // Until a later stage provides another shell, stage 1's is the one every shell stage runs with;
  // a stage whose shell comes from elsewhere is still checked with this, the closest we have built.
  assert.ok(shellProviders(checkout.stages).has(STAGE1), "no shell stage runs stage 1's ash");
  const scripts = await shellScripts(RECIPES, checkout.stages);
  assert.ok(scripts.includes(path.join(RECIPES, "lib", "build.sh")), scripts.join(", "));
  for (const stage of checkout.stages.filter((s) => s.runner === "shell")) {
    assert.ok(scripts.includes(path.join(stage.dir, stage.program)), `${stage.name}'s program is not checked`);
  }
  assert.deepEqual(await syntaxProblems(ash, scripts, RECIPES), []);
});

test("a syntax error or an unknown pin in a copy of the recipes is reported, naming the file and line", async () => {
  const root = await tempDir("static-broken");
  cleanups.push(root);
  const recipes = await copyRecipes(path.join(root, "recipes"));
  const shellStage = checkout.stages.find((s) => s.runner === "shell" && s.dir === path.join(RECIPES, s.name));
  assert.ok(shellStage, "no shell stage with its own folder to break");
  const script = path.join(recipes, shellStage.name, shellStage.program);
  // The script ends in a newline, so the appended line's number is the count of split parts.
  const line = (await fs.readFile(script, "utf8")).split("\n").length;
  await fs.appendFile(script, "if then\n");
  const stageJson = path.join(recipes, shellStage.name, "stage.json");
  const declaration = JSON.parse(await fs.readFile(stageJson, "utf8")) as { sources: unknown[] };
  await fs.writeFile(stageJson, JSON.stringify({ ...declaration, sources: [...declaration.sources, "no-such-pin"] }));

  const copy = await loadRecipes(recipes);
  assert.deepEqual(copy.problems, []);
  const syntax = await syntaxProblems(ash, await shellScripts(recipes, copy.stages), recipes);
  assert.equal(syntax.length, 1, syntax.join("\n"));
  assert.match(syntax[0], new RegExp(`^${shellStage.name}/${shellStage.program}: ash -n: .*line ${line}: syntax error`));
  assert.deepEqual(referenceProblems(copy, copy.stages.map((s) => s.name)), [`${shellStage.name}: source "no-such-pin" is no pin`]);
});

test("every /recipe-lib path a shell stage's scripts (and the lib scripts they source) read is in its \"lib\"", async () => {
  assert.deepEqual(await libCoverageProblems(RECIPES, checkout.stages), []);
  // A copy whose 2a4 no longer lists smoke/ (it compiles /recipe-lib/smoke/cxx98.cpp) is caught.
  const root = await tempDir("static-lib");
  cleanups.push(root);
  const recipes = await copyRecipes(path.join(root, "recipes"));
  const stageJson = path.join(recipes, "2a4-gcc3", "stage.json");
  const declaration = JSON.parse(await fs.readFile(stageJson, "utf8")) as { lib: string[] };
  assert.ok(declaration.lib.includes("smoke"), declaration.lib.join(", "));
  const withoutSmoke = declaration.lib.filter((entry) => entry !== "smoke");
  await fs.writeFile(stageJson, JSON.stringify({ ...declaration, lib: withoutSmoke }));
  const copy = await loadRecipes(recipes);
  assert.deepEqual(copy.problems, []);
  const problems = await libCoverageProblems(recipes, copy.stages);
  assert.equal(problems.length, 1, problems.join("\n"));
  assert.match(problems[0], /^2a4-gcc3: 2a4-gcc3\/build\.sh:\d+ reads \/recipe-lib\/smoke\/cxx98\.cpp, which its "lib" does not cover \(build\.sh, gcc3\.sh\)$/);
});

test("zilchboot plan plans every stage of the chain to each of its ends, booting nothing", async () => {
  // Every leaf that stage 1 leads to (the i386 guest's stages need the i386 seed, which the tests
  // do not build): the last compiler, and check stages like 2a5d's fixpoint that nothing consumes.
  const targets = leafStages(checkout.stages).filter((leaf) => closureInOrder(checkout.stages, leaf).includes(STAGE1));
  assert.ok(targets.length >= 2, targets.join(", "));
  const home = await testHomeWithStage1("static-plan");
  cleanups.push(path.dirname(home.home));
  const lockBefore = await fs.readFile(home.lockFile);
  const storeBefore = (await fs.readdir(path.join(home.home, "store"))).sort();
  // The seed stage 1 was built with, so its input hash (and every later one) is known: a plan, not guesses.
  const { seed } = await provisioned();
  const env = { ...home.env, ZILCHBOOT_DOWNLOADS: path.join(path.dirname(home.home), "cache") };

  for (const target of targets) {
    const expected = closureInOrder(checkout.stages, target);
    const run = await zilchboot(["plan", target, "--seed", seed], env);
    assert.equal(run.exitCode, 0, `${target}: ${run.stderr}`);
    const steps = run.stdout.split("\n").filter(Boolean).map((line) => line.split(/\s+/));
    assert.deepEqual(steps.map(([name]) => name), expected, target);
    // `plan` prints a reuse from the store as "local" (verdictWord), beside remote and build.
    for (const [name, verdict] of steps) assert.ok(["local", "remote", "build", "unknown-until-inputs-built"].includes(verdict), `${name}: ${verdict}`);
    assert.deepEqual(steps.find(([name]) => name === STAGE1)?.slice(0, 2), [STAGE1, "local"], target);
  }

  // Nothing ran: no run directory, no console log, the store and the lock as they were.
  for (const dir of ["runs", "logs"]) assert.deepEqual(await fs.readdir(path.join(home.home, dir)).catch(() => []), [], dir);
  assert.deepEqual((await fs.readdir(path.join(home.home, "store"))).sort(), storeBefore);
  assert.deepEqual(await fs.readFile(home.lockFile), lockBefore);
});
