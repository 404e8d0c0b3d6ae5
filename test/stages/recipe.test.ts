// Loading stage.json: the schema's checks (unknown keys and wrong types name the key) and the
// checks against the folder and other stages, all in one error format.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { GUEST_ARCHES } from "../../src/arch.js";
import { ZilchError } from "../../src/errors.js";
import { recipesDir } from "../../src/paths.js";
import { schemaFile } from "../../src/schema/json-schema.js";
import { listStagesSync, loadStage } from "../../src/stages/recipe.js";
import { recipeRoot, writeStage, type Declaration } from "../helpers/recipe-folders.js";

const valid = { name: "5-demo", runner: "seed-tcc", program: "x.c", args: ["a=1"], sources: ["musl", { pin: "tinycc", unpackAs: "tinycc" }] };

async function demo(declaration: Declaration | string): Promise<string> {
  return recipeRoot({ "5-demo": [declaration, { "x.c": "" }] });
}

async function loadError(root: string, name = "5-demo"): Promise<ZilchError> {
  return loadStage(root, name).then(
    () => assert.fail("expected the declaration to be refused"),
    (error: unknown) => {
      assert.ok(error instanceof ZilchError, `not a ZilchError: ${String(error)}`);
      return error;
    },
  );
}

test("a valid stage loads with defaults and both source forms", async () => {
  const stage = await loadStage(await demo(valid), "5-demo");
  assert.deepEqual(stage.sources, [{ pin: "musl", strip: 0 }, { pin: "tinycc", unpackAs: "tinycc", strip: 0 }]);
  assert.equal(stage.timeoutSeconds, 600);
  assert.equal(stage.memoryMiB, 512);
  assert.deepEqual(stage.args, ["a=1"]);
  assert.deepEqual(stage.inputs, []);
  assert.equal(stage.small, false, "not small unless declared");
  assert.equal(stage.arch, "x86_64", "x86_64 is the default");
  assert.equal((await loadStage(await demo({ ...valid, small: true }), "5-demo")).small, true);
});

test("an unknown key is refused by name, with the known keys listed", async () => {
  const root = await demo({ ...valid, input: ["2a1-binutils"] });
  const error = await loadError(root);
  assert.equal(error.code, "PIN");
  assert.equal(error.message.split(": unknown key")[0], path.join(root, "5-demo", "stage.json"), "the message starts with the file");
  assert.match(error.message, /: unknown key "input" \(known: .*\binputs\b.*\)$/);
  assert.match(error.hint ?? "", /stage\.schema\.json/, "the hint points at the schema");
  const typo = await loadError(await demo({ ...valid, timeoutSecond: 36000 }));
  assert.match(typo.message, /unknown key "timeoutSecond" \(known: .*timeoutSeconds/);
});

test("a wrong type or value names the key, what it must be and what it got", async () => {
  const cases: Array<[Declaration | string, RegExp]> = [
    [{ ...valid, timeoutSeconds: "10" }, /: "timeoutSeconds" must be a positive number, got "10"$/],
    [{ ...valid, timeoutSeconds: -1 }, /: "timeoutSeconds" must be a positive number, got -1$/],
    [{ ...valid, memoryMiB: 1.5 }, /: "memoryMiB" must be a positive whole number, got 1\.5$/],
    [{ ...valid, small: "yes" }, /: "small" must be true or false, got "yes"$/],
    [{ ...valid, runner: "docker" }, /: "runner" must be one of seed-tcc, shell, got "docker"$/],
    [{ ...valid, arch: "arm" }, /: "arch" must be one of x86_64, i386, got "arm"$/],
    [{ ...valid, args: "a=1" }, /: "args" must be a list of strings, got "a=1"$/],
    [{ ...valid, args: ["two words"] }, /: "args\[0\]" must be a non-empty string without spaces or quotes .*, got "two words"$/],
    [{ ...valid, inputs: ["0-a", "0-a"] }, /: "inputs" must be a list of distinct stage names/],
    [{ ...valid, sources: [{ pin: "musl", unpackAs: "../up" }] }, /: sources\[0\]: "unpackAs" must be a directory name of a-z 0-9 \. \+ - .*, got "\.\.\/up"$/],
    [{ ...valid, sources: [{ pin: "musl", unpack: "x" }] }, /: sources\[0\]: unknown key "unpack" \(known: pin, unpackAs, strip\)$/],
    [{ ...valid, sources: [{ unpackAs: "x" }] }, /: sources\[0\]: "pin" is missing$/],
    [{ ...valid, sources: [5] }, /: "sources\[0\]" must be a pin name or \{ "pin": NAME, "unpackAs": DIR, "strip": N \}, got 5$/],
    [{ ...valid, program: "../x.c" }, /: "program" must be a file of the recipe folder, as a relative path, got "\.\.\/x\.c"$/],
    [(({ program: _p, ...rest }) => rest)(valid), /: "program" is missing$/],
    [JSON.stringify([valid]), /stage\.json: must be a JSON object, got \[/],
    ["{ not json", /stage\.json: not valid JSON/],
  ];
  for (const [declaration, message] of cases) {
    const error = await loadError(await demo(declaration));
    assert.equal(error.code, "PIN");
    assert.match(error.message, message);
    assert.doesNotMatch(error.message, /\n/, "one line");
  }
});

test("checks beyond the schema keep the same format: folder name, program, recipeFrom", async () => {
  const cases: Array<[Declaration, RegExp]> = [
    [{ ...valid, name: "5-other" }, /stage\.json: "name" is "5-other" but the folder is 5-demo$/],
    [{ ...valid, program: "missing.c" }, /stage\.json: "program" names missing\.c, which does not exist in .*5-demo$/],
    [{ ...valid, recipeFrom: "5-demo" }, /"recipeFrom" must name another stage folder/],
    [{ ...valid, recipeFrom: "../x" }, /"recipeFrom" must be another stage folder, got "\.\.\/x"/],
    [{ ...valid, recipeFrom: "6-missing" }, /"program" names x\.c, which does not exist in .*6-missing$/],
  ];
  for (const [declaration, message] of cases) assert.match((await loadError(await demo(declaration))).message, message);
});

test("an unknown stage is a usage error listing the known ones", async () => {
  const root = await demo(valid);
  await fs.mkdir(path.join(root, "lib"));
  const error = await loadError(root, "6-nope");
  assert.equal(error.code, "USAGE");
  assert.match(error.hint ?? "", /known stages: 5-demo$/, "folders without a stage.json (lib/, schema/) are not stages");
  assert.deepEqual(listStagesSync(root), ["5-demo"]);
});

test("a variant borrows another stage's files with its own arch and arguments", async () => {
  const root = await demo(valid);
  await writeStage(root, "5-demo-i386", { ...valid, name: "5-demo-i386", recipeFrom: "5-demo", arch: "i386", args: ["b=2"] });
  const stage = await loadStage(root, "5-demo-i386");
  assert.equal(stage.arch, "i386");
  assert.equal(stage.dir, path.join(root, "5-demo"), "its files (served at /recipe) are 5-demo's");
  assert.equal(stage.declarationDir, path.join(root, "5-demo-i386"));
  assert.deepEqual(stage.args, ["b=2"]);
});

test("every stage of the chain loads and points editors at the schema; the schema's arches are the code's", async () => {
  const names = listStagesSync(recipesDir());
  assert.ok(names.includes("1-stage1") && names.includes("2a1-binutils"), names.join(", "));
  for (const name of names) {
    const stage = await loadStage(recipesDir(), name);
    assert.equal(stage.name, name);
    const raw = JSON.parse(await fs.readFile(path.join(recipesDir(), name, "stage.json"), "utf8")) as Record<string, unknown>;
    assert.equal(raw.$schema, "../schema/stage.schema.json", `${name}'s stage.json names the schema`);
  }
  const schema = JSON.parse(await fs.readFile(schemaFile("stage"), "utf8")) as { properties: { arch: { enum: string[] } } };
  assert.deepEqual(schema.properties.arch.enum, [...GUEST_ARCHES]);
});
