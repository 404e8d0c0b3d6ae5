// A shell stage's PID 1, shell and PATH come from the "provides" of the inputs it lists as "tools".
import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import { ZilchError } from "../../src/errors.js";
import { recipesDir } from "../../src/paths.js";
import { loadStage } from "../../src/stages/recipe.js";
import { guestCommand, providedTools, shellToolchain } from "../../src/stages/runners.js";
import { recipeRoot, shellStage, toolChainRoot, toolStage, writeStage } from "../helpers/recipe-folders.js";

async function refusal(root: string, name = "2-pkg"): Promise<ZilchError> {
  return loadStage(root, name).then(
    () => assert.fail("expected the stage to be refused"),
    (error: unknown) => {
      assert.ok(error instanceof ZilchError, String(error));
      return error;
    },
  );
}

test("PATH lists each tool's bin directories in order; PID 1 and the shell come from the tools", async () => {
  const root = await toolChainRoot();
  await writeStage(root, "2-make", { name: "2-make", runner: "shell", program: "build.sh", inputs: ["1-tools"], tools: ["1-tools"], provides: { bin: ["bin"] } }, { "build.sh": "" });
  await writeStage(root, "3-app", { ...shellStage, name: "3-app", inputs: ["1-tools", "2-make"], tools: ["1-tools", "2-make"], env: { LANG: "C" } }, { "build.sh": "" });
  const stage = await loadStage(root, "3-app");
  assert.deepEqual(shellToolchain(stage), {
    path: ["/store/1-tools/busybox/bin", "/store/1-tools/tcc/bin", "/store/2-make/bin"],
    init: "/store/1-tools/init",
    shell: "/store/1-tools/busybox/bin/ash",
  });
  assert.deepEqual(guestCommand(stage, 3), {
    init: "/store/1-tools/init",
    initArgs: ["PATH=/store/1-tools/busybox/bin:/store/1-tools/tcc/bin:/store/2-make/bin", "SOURCE_DATE_EPOCH=0", "JOBS=3", "LANG=C", "/store/1-tools/busybox/bin/ash", "/recipe/build.sh"],
  });
  assert.deepEqual(stage.lib, { dir: path.join(root, "lib"), entries: ["build.sh"] }, "shell stages see recipes/lib/build.sh by default");
  assert.equal((await loadStage(root, "1-tools")).lib, undefined, "seed-tcc stages see no library");
});

test("the chain's shell stages get the guest command they always had, now from stage 1's provides", async () => {
  const make = await loadStage(recipesDir(), "2a0-make");
  assert.deepEqual(guestCommand(make, 2), {
    init: "/store/1-stage1/init",
    initArgs: ["PATH=/store/1-stage1/protobusybox/bin:/store/1-stage1/tinycc/bin", "SOURCE_DATE_EPOCH=0", "JOBS=2", "/store/1-stage1/protobusybox/bin/ash", "/recipe/build.sh"],
  });
  const binutils = await loadStage(recipesDir(), "2a1-binutils");
  assert.equal(guestCommand(binutils, 1).initArgs[0], "PATH=/store/1-stage1/protobusybox/bin:/store/1-stage1/tinycc/bin:/store/2a0-make/bin", "make is on PATH");
  assert.deepEqual(providedTools(await loadStage(recipesDir(), "1-stage1")), { bin: ["protobusybox/bin", "tinycc/bin"], init: "init", shell: "protobusybox/bin/ash" });
});

test("a tool must be an input, must provide something, and some tool must provide init and shell", async () => {
  const notInput = await refusal(await toolChainRoot({ pkg: { ...shellStage, inputs: [] } }));
  assert.match(notInput.message, /2-pkg\/stage\.json: "tools" lists 1-tools, which is not one of "inputs" \(none\)$/);
  assert.match(notInput.hint ?? "", /add 1-tools to "inputs"/);

  const providesNothing = await refusal(await toolChainRoot({ tools: { ...toolStage, provides: undefined } }));
  assert.match(providesNothing.message, /"tools" lists 1-tools, whose stage\.json declares no "provides"$/);

  const noInit = await refusal(await toolChainRoot({ tools: { ...toolStage, provides: { bin: ["bin"], shell: "bin/ash" } } }));
  assert.match(noInit.message, /none of its tools \(1-tools\) provides an init \(PID 1\)$/);
  assert.match(noInit.hint ?? "", /"provides": \{ "init"/);

  const noShell = await refusal(await toolChainRoot({ tools: { ...toolStage, provides: { bin: ["bin"], init: "init" } } }));
  assert.match(noShell.message, /provides a shell$/);

  const noTools = await refusal(await toolChainRoot({ pkg: { ...shellStage, tools: undefined } }));
  assert.match(noTools.message, /stage 2-pkg runs a shell script but lists no "tools"$/);
});

test("tools and env are for shell stages; env names and provides paths are checked", async () => {
  const seedWithTools = await refusal(await toolChainRoot({ tools: { ...toolStage, inputs: ["2-pkg"], tools: ["2-pkg"] } }), "1-tools");
  assert.match(seedWithTools.message, /"tools" is for shell stages/);
  const seedWithEnv = await refusal(await toolChainRoot({ tools: { ...toolStage, env: { A: "1" } } }), "1-tools");
  assert.match(seedWithEnv.message, /"env" is for shell stages/);
  const reserved = await refusal(await toolChainRoot({ pkg: { ...shellStage, env: { JOBS: "9" } } }));
  assert.match(reserved.message, /env: key "JOBS" must be a variable name other than PATH, JOBS and SOURCE_DATE_EPOCH/);
  const spaced = await refusal(await toolChainRoot({ pkg: { ...shellStage, env: { CFLAGS: "-O2 -g" } } }));
  assert.match(spaced.message, /"env\.CFLAGS" must be a string without spaces or quotes|env: "CFLAGS" must be a string without spaces/);
  const escape = await refusal(await toolChainRoot({ tools: { ...toolStage, provides: { bin: ["../../host/bin"] } } }), "1-tools");
  assert.match(escape.message, /provides: "bin\[0\]" must be a relative directory of the output, got "\.\.\/\.\.\/host\/bin"$/);
});

test("without recipes/lib a shell stage declaring \"lib\": [] loads and sees no library; the default needs build.sh", async () => {
  const root = await recipeRoot({ "1-tools": [toolStage, { "tools.c": "" }], "2-pkg": [{ ...shellStage, lib: [] }, { "build.sh": "" }] });
  assert.equal((await loadStage(root, "2-pkg")).lib, undefined);
  await writeStage(root, "2-pkg", shellStage);
  assert.match((await refusal(root)).line, /2-pkg\/stage\.json: "lib" lists build\.sh, which is not in .*lib; add .*lib\/build\.sh, or drop "build\.sh" from "lib"/);
});
