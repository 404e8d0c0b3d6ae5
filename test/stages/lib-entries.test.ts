// A shell stage's "lib" field: which files and folders of recipes/lib it declares, how the loader
// checks them, and that its share serves exactly those at /recipe-lib (the input hash covers the
// same entries; test/stages/plan-inputs.test.ts checks that against the real recipes).
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { ZilchError } from "../../src/errors.js";
import { recipesDir } from "../../src/paths.js";
import { loadStage } from "../../src/stages/recipe.js";
import { assembleShare } from "../../src/stages/share.js";
import { tempDir } from "../helpers/home.js";
import { shellStage, toolChainRoot, toolStage, type Declaration } from "../helpers/recipe-folders.js";

/** 1-tools and 2-pkg (with `lib` in its declaration) over a library of two scripts and a folder. */
async function rootWith(lib: unknown, tools: Declaration = toolStage): Promise<string> {
  const root = await toolChainRoot({ pkg: { ...shellStage, lib }, tools, lib: { "build.sh": "run_phases() { :; }\n", "gcc10.sh": "gcc10() { :; }\n" } });
  await fs.mkdir(path.join(root, "lib", "smoke"));
  for (const file of ["a.cpp", "b.cpp"]) await fs.writeFile(path.join(root, "lib", "smoke", file), `// ${file}\n`);
  return root;
}

async function refusal(root: string, name = "2-pkg"): Promise<ZilchError> {
  return loadStage(root, name).then(
    () => assert.fail("expected the stage to be refused"),
    (error: unknown) => {
      assert.ok(error instanceof ZilchError, String(error));
      assert.ok(!error.line.includes("\n"), error.line);
      return error;
    },
  );
}

/** Every path under dir, relative, sorted ("" when dir does not exist). */
async function listing(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { recursive: true }).catch(() => []);
  return entries.map((e) => e.split(path.sep).join("/")).sort();
}

test("a shell stage's lib entries load sorted; absent means build.sh, [] means none", async () => {
  const listed = await loadStage(await rootWith(["smoke", "build.sh", "gcc10.sh"]), "2-pkg");
  assert.deepEqual(listed.lib?.entries, ["build.sh", "gcc10.sh", "smoke"]);
  assert.deepEqual((await loadStage(await rootWith(undefined), "2-pkg")).lib?.entries, ["build.sh"]);
  assert.equal((await loadStage(await rootWith([]), "2-pkg")).lib, undefined);
  assert.deepEqual((await loadStage(await rootWith(["smoke/b.cpp"]), "2-pkg")).lib?.entries, ["smoke/b.cpp"], "a file inside a folder");
});

test("paths must be relative, inside recipes/lib, present, listed once and not inside another entry", async () => {
  for (const bad of ["/etc/passwd", "../1-tools/tools.c", "smoke/../build.sh", "./build.sh", "smoke/", "smoke//a.cpp", ""]) {
    const error = await refusal(await rootWith([bad]));
    assert.match(error.message, /"lib\[0\]" must be a relative path of a file or folder of recipes\/lib/, `${JSON.stringify(bad)}: ${error.message}`);
  }
  assert.match((await refusal(await rootWith(["build.sh", "build.sh"]))).message, /"lib" must be a list of distinct files or folders of recipes\/lib/);
  assert.match((await refusal(await rootWith("build.sh"))).message, /"lib" must be a list of distinct files or folders/);

  const missing = await refusal(await rootWith(["build.sh", "smoke/c.cpp"]));
  assert.match(missing.line, /2-pkg\/stage\.json: "lib" lists smoke\/c\.cpp, which is not in .*lib; add .*lib\/smoke\/c\.cpp, or drop "smoke\/c\.cpp" from "lib" in .*2-pkg\/stage\.json$/);
  const nested = await refusal(await rootWith(["smoke", "smoke/a.cpp"]));
  assert.match(nested.message, /"lib" lists smoke\/a\.cpp, which is inside smoke \(also listed\)$/);

  const escaping = await rootWith(["outside"]);
  await fs.symlink(path.join(escaping, "1-tools"), path.join(escaping, "lib", "outside"));
  assert.match((await refusal(escaping)).message, /"lib" lists outside, which leads out of .*lib$/);
});

test("\"lib\" is for shell stages", async () => {
  const error = await refusal(await rootWith(undefined, { ...toolStage, lib: ["build.sh"] }), "1-tools");
  assert.match(error.line, /1-tools\/stage\.json: "lib" is for shell stages \(a seed-tcc program sees no \/recipe-lib\); drop "lib" from /);
});

test("the share serves exactly the declared entries at /recipe-lib, at the same relative paths", async () => {
  const share = async (lib: unknown): Promise<string[]> => {
    const stage = await loadStage(await rootWith(lib), "2-pkg");
    const runDir = await tempDir("lib-share");
    const { rootDir } = await assembleShare(runDir, { recipeDir: stage.dir, recipeLib: stage.lib, sources: {}, dependencies: {} });
    const served = await listing(path.join(rootDir, "recipe-lib"));
    await fs.rm(runDir, { recursive: true, force: true });
    return served;
  };
  assert.deepEqual(await share(undefined), ["build.sh"]);
  assert.deepEqual(await share(["smoke", "build.sh"]), ["build.sh", "smoke", "smoke/a.cpp", "smoke/b.cpp"]);
  assert.deepEqual(await share(["smoke/b.cpp"]), ["smoke", "smoke/b.cpp"]);
  assert.deepEqual(await share([]), [], "no /recipe-lib at all");
});

test("the chain's stages are served what their lib lists: 2a0 build.sh alone, the GCC 10 stages gcc10.sh and smoke too", async () => {
  const served = async (name: string): Promise<string[]> => {
    const stage = await loadStage(recipesDir(), name);
    const runDir = await tempDir("lib-share-chain");
    const { rootDir } = await assembleShare(runDir, { recipeDir: stage.dir, recipeLib: stage.lib, sources: {}, dependencies: {} });
    const listed = await listing(path.join(rootDir, "recipe-lib"));
    await fs.rm(runDir, { recursive: true, force: true });
    return listed;
  };
  assert.deepEqual(await served("2a0-make"), ["build.sh"]);
  assert.deepEqual(await served("2a4-gcc3"), ["build.sh", "gcc3.sh", "smoke", ...(await listing(path.join(recipesDir(), "lib", "smoke"))).map((f) => `smoke/${f}`)]);
  const gcc10 = await served("2a5a-gcc10-o0");
  assert.ok(gcc10.includes("gcc10.sh") && gcc10.includes("smoke/cxx17.cpp"), gcc10.join(", "));
});
