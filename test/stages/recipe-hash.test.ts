// The input hash covers what can change a stage's output and nothing else: the recipe's files,
// stage.json's output fields, the recipe library, and the guest command its tools make up.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { inputHash, recipeTreeHash, type StageInputs } from "../../src/stages/input-hash.js";
import { loadStage } from "../../src/stages/recipe.js";
import { shellStage, toolChainRoot, toolStage, writeStage, type Declaration } from "../helpers/recipe-folders.js";

async function pkgHash(root: string): Promise<string> {
  return recipeTreeHash(await loadStage(root, "2-pkg"));
}

async function hashWith(pkg: Declaration, tools: Declaration = toolStage): Promise<{ pkg: string; tools: string }> {
  const root = await toolChainRoot({ pkg, tools });
  return { pkg: await pkgHash(root), tools: await recipeTreeHash(await loadStage(root, "1-tools")) };
}

test("the hash does not move when description, timeout, memory, small or $schema change", async () => {
  const base = await hashWith(shellStage);
  for (const change of [
    { description: "now with words" },
    { timeoutSeconds: 99999 },
    { memoryMiB: 4096 },
    { small: true },
    { $schema: "../schema/stage.schema.json" },
    { args: [], env: {} },
  ]) {
    assert.equal((await hashWith({ ...shellStage, ...change })).pkg, base.pkg, `changing ${Object.keys(change).join(", ")} must not rebuild`);
  }
});

test("the hash moves with every output-relevant field", async () => {
  const base = await hashWith(shellStage);
  const root = await toolChainRoot();
  await writeStage(root, "2-other", { name: "2-other", runner: "seed-tcc", program: "o.c" }, { "o.c": "" });
  for (const change of [
    { args: ["x=1"] },
    { sources: ["pkg", "patch"] },
    { sources: [{ pin: "pkg", unpackAs: "pkg" }] },
    { sources: [{ pin: "pkg", unpackAs: "pkg", strip: 1 }] },
    { env: { LANG: "C" } },
    { program: "other.sh" },
    { arch: "i386" },
    { inputs: ["1-tools", "2-other"] },
  ]) {
    await writeStage(root, "2-pkg", { ...shellStage, ...change }, { "build.sh": "", "other.sh": "" });
    assert.notEqual(await pkgHash(root), base.pkg, `changing ${JSON.stringify(change)} must rebuild`);
  }
  const seed = await hashWith(shellStage, { ...toolStage, runner: "shell", inputs: [] }).catch((e: Error) => e);
  assert.ok(seed instanceof Error, "a shell tool without tools of its own is refused");
});

test("the hash moves with the recipe's files and the recipe library, not with stage.json's bytes", async () => {
  const root = await toolChainRoot();
  const before = await pkgHash(root);
  const file = path.join(root, "2-pkg", "stage.json");
  await fs.writeFile(file, JSON.stringify(JSON.parse(await fs.readFile(file, "utf8"))));
  assert.equal(await pkgHash(root), before, "reformatting stage.json changes nothing");
  await fs.appendFile(path.join(root, "2-pkg", "build.sh"), "\n");
  const afterFile = await pkgHash(root);
  assert.notEqual(afterFile, before);
  await fs.appendFile(path.join(root, "lib", "build.sh"), "# a phase changed\n");
  assert.notEqual(await pkgHash(root), afterFile, "shell stages run the library");
});

test("a tool's provides is not in its own hash but is in the hash of each stage that uses it", async () => {
  const base = await hashWith(shellStage);
  const moved = await hashWith(shellStage, { ...toolStage, provides: { bin: ["busybox/bin"], init: "init", shell: "busybox/bin/ash" } });
  assert.equal(moved.tools, base.tools, "provides describes the output; it does not change it");
  assert.notEqual(moved.pkg, base.pkg, "the consumer's PATH changed");
  const reordered = await hashWith({ ...shellStage, inputs: ["1-tools"], tools: ["1-tools"] }, { ...toolStage, description: "other words" });
  assert.equal(reordered.pkg, base.pkg);
});

test("a variant hashes its own declaration and the borrowed files, not the other stage's description", async () => {
  const root = await toolChainRoot();
  const variant = { ...toolStage, name: "1-tools-i386", recipeFrom: "1-tools", arch: "i386", provides: undefined };
  await writeStage(root, "1-tools-i386", variant);
  const [baseOwn, baseVariant] = [await recipeTreeHash(await loadStage(root, "1-tools")), await recipeTreeHash(await loadStage(root, "1-tools-i386"))];
  assert.notEqual(baseVariant, baseOwn, "its arch differs");
  await writeStage(root, "1-tools", { ...toolStage, description: "edited", timeoutSeconds: 5 });
  assert.equal(await recipeTreeHash(await loadStage(root, "1-tools")), baseOwn);
  assert.equal(await recipeTreeHash(await loadStage(root, "1-tools-i386")), baseVariant, "editing 1-tools' description rebuilds neither");
  await fs.writeFile(path.join(root, "1-tools", "tools.c"), "int changed;\n");
  const afterFiles = await recipeTreeHash(await loadStage(root, "1-tools-i386"));
  assert.notEqual(afterFiles, baseVariant, "the borrowed files are hashed");
  await writeStage(root, "1-tools-i386", { ...variant, args: ["b=3"] });
  assert.notEqual(await recipeTreeHash(await loadStage(root, "1-tools-i386")), afterFiles, "its own output fields are hashed");
});

test("the input hash moves with every input and nothing else", () => {
  const inputs: StageInputs = { stage: "1-x", recipeTree: "a", guestTree: "b", seedSha256: "c", sources: { musl: "d", tinycc: "e" }, dependencies: { "0-y": "f" } };
  const base = inputHash(inputs);
  assert.equal(inputHash({ ...inputs, sources: { tinycc: "e", musl: "d" } }), base, "key order is irrelevant");
  assert.equal(inputHash({ ...inputs, arch: "x86_64" }), base, "x86_64 is the default arch");
  for (const changed of [
    { ...inputs, stage: "1-z" },
    { ...inputs, recipeTree: "a2" },
    { ...inputs, guestTree: "b2" },
    { ...inputs, seedSha256: "c2" },
    { ...inputs, sources: { ...inputs.sources, musl: "d2" } },
    { ...inputs, dependencies: { "0-y": "f2" } },
    { ...inputs, arch: "i386" },
  ]) assert.notEqual(inputHash(changed), base);
});
