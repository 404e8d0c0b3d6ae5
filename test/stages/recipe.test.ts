import assert from "node:assert/strict";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { ZilchError } from "../../src/errors.js";
import { loadStage } from "../../src/stages/recipe.js";
import { inputHash, recipeTreeHash, type StageInputs } from "../../src/stages/input-hash.js";

async function recipesWith(name: string, declaration: unknown, files: Record<string, string> = { "x.c": "" }): Promise<string> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), "zilchboot-recipe-"));
  await fs.mkdir(path.join(root, name));
  await fs.writeFile(path.join(root, name, "stage.json"), typeof declaration === "string" ? declaration : JSON.stringify(declaration));
  for (const [file, text] of Object.entries(files)) await fs.writeFile(path.join(root, name, file), text);
  return root;
}

const valid = { name: "5-demo", runner: "seed-tcc", program: "x.c", args: ["a=1"], sources: ["musl", { pin: "tinycc", unpackAs: "tinycc" }] };

test("a valid stage loads with defaults and both source forms", async () => {
  const stage = await loadStage(await recipesWith("5-demo", valid), "5-demo");
  assert.deepEqual(stage.sources, [{ pin: "musl", strip: 0 }, { pin: "tinycc", unpackAs: "tinycc", strip: 0 }]);
  assert.equal(stage.timeoutSeconds, 600);
  assert.deepEqual(stage.args, ["a=1"]);
  assert.equal(stage.small, false, "not small unless declared");
  assert.equal((await loadStage(await recipesWith("5-demo", { ...valid, small: true }), "5-demo")).small, true);
});

test("bad declarations name the file and the field", async () => {
  const cases: Array<[unknown, RegExp]> = [
    [{ ...valid, name: "5-other" }, /"name" is "5-other" but the folder is 5-demo/],
    [{ ...valid, runner: "docker" }, /unknown runner "docker"/],
    [{ ...valid, program: "missing.c" }, /program missing\.c does not exist/],
    [{ ...valid, sources: [{ pin: "musl", unpackAs: "../up" }] }, /each of "sources" is a pin name or/],
    [{ ...valid, timeoutSeconds: -1 }, /"timeoutSeconds" must be a positive number/],
    [{ ...valid, small: "yes" }, /"small" must be true or false/],
    ["{ not json", /not valid JSON/],
  ];
  for (const [declaration, message] of cases) {
    const root = await recipesWith("5-demo", declaration);
    await assert.rejects(loadStage(root, "5-demo"), (e: unknown) => e instanceof ZilchError && e.message.includes(path.join(root, "5-demo", "stage.json")) && message.test(e.message));
  }
});

test("an unknown stage is a usage error listing the known ones", async () => {
  const root = await recipesWith("5-demo", valid);
  await assert.rejects(loadStage(root, "6-nope"), (e: unknown) => e instanceof ZilchError && e.code === "USAGE" && /known stages: 5-demo/.test(e.hint ?? ""));
});

test("the input hash moves with every input and nothing else", () => {
  const inputs: StageInputs = { stage: "1-x", recipeTree: "a", guestTree: "b", seedSha256: "c", sources: { musl: "d", tinycc: "e" }, dependencies: { "0-y": "f" } };
  const base = inputHash(inputs);
  assert.equal(inputHash({ ...inputs, sources: { tinycc: "e", musl: "d" } }), base, "key order is irrelevant");
  for (const changed of [
    { ...inputs, recipeTree: "a2" },
    { ...inputs, guestTree: "b2" },
    { ...inputs, seedSha256: "c2" },
    { ...inputs, sources: { ...inputs.sources, musl: "d2" } },
    { ...inputs, dependencies: { "0-y": "f2" } },
  ]) assert.notEqual(inputHash(changed), base);
});

test("the arch enters the input hash except for x86_64, whose hashes stay as they were", () => {
  const inputs: StageInputs = { stage: "1-x", recipeTree: "a", guestTree: "b", seedSha256: "c", sources: {}, dependencies: {} };
  assert.equal(inputHash({ ...inputs, arch: "x86_64" }), inputHash(inputs));
  assert.notEqual(inputHash({ ...inputs, arch: "i386" }), inputHash(inputs));
});

test("a variant borrows another stage's files with its own arch and arguments", async () => {
  const root = await recipesWith("5-demo", valid);
  await fs.mkdir(path.join(root, "5-demo-i386"));
  const variant = { ...valid, name: "5-demo-i386", recipeFrom: "5-demo", arch: "i386", args: ["b=2"] };
  await fs.writeFile(path.join(root, "5-demo-i386", "stage.json"), JSON.stringify(variant));
  const stage = await loadStage(root, "5-demo-i386");
  assert.equal(stage.arch, "i386");
  assert.equal(stage.dir, path.join(root, "5-demo"), "its files (served at /recipe) are 5-demo's");
  assert.equal(stage.declarationDir, path.join(root, "5-demo-i386"));
  assert.deepEqual(stage.args, ["b=2"]);
  assert.equal((await loadStage(root, "5-demo")).arch, "x86_64", "x86_64 is the default");

  // Its own declaration and the borrowed files both move its recipe hash.
  const before = await recipeTreeHash(stage);
  assert.notEqual(before, await recipeTreeHash(await loadStage(root, "5-demo")));
  await fs.writeFile(path.join(root, "5-demo", "x.c"), "int changed;\n");
  const afterFiles = await recipeTreeHash(stage);
  assert.notEqual(afterFiles, before);
  await fs.writeFile(path.join(root, "5-demo-i386", "stage.json"), JSON.stringify({ ...variant, args: ["b=3"] }));
  assert.notEqual(await recipeTreeHash(await loadStage(root, "5-demo-i386")), afterFiles);
});

test("bad arch and recipeFrom values name the field", async () => {
  for (const [declaration, message] of [
    [{ ...valid, arch: "arm" }, /"arch" must be one of x86_64, i386, got "arm"/],
    [{ ...valid, recipeFrom: "5-demo" }, /"recipeFrom" must name another stage folder/],
    [{ ...valid, recipeFrom: "../x" }, /"recipeFrom" must name another stage folder/],
    [{ ...valid, recipeFrom: "6-missing" }, /program x\.c does not exist in .*6-missing/],
  ] as Array<[unknown, RegExp]>) {
    const root = await recipesWith("5-demo", declaration);
    await assert.rejects(loadStage(root, "5-demo"), (e: unknown) => e instanceof ZilchError && message.test(e.message));
  }
});
