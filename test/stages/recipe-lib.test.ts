// recipes/lib/build.sh, the shell stages' phase library, run by the host's POSIX sh on scratch
// directories: phase order and directories, overrides, timing lines, its helpers and the leak
// check. (In the guest it runs under stage 1's ash; 2a0 and 2a1 are built on it.)
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { execa } from "execa";
import { recipesDir } from "../../src/paths.js";

const LIB = path.join(recipesDir(), "lib", "build.sh");

async function scratch(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), "zilchboot-lib-"));
}

let toolsDir: string | undefined;

/** Runs `script` after sourcing the library, in a clean environment whose PATH has an `ash`
 *  (the host's sh) first, as a stage's tools give it one. */
async function runLib(script: string) {
  if (!toolsDir) {
    toolsDir = await scratch();
    await fs.symlink((await execa("sh", ["-c", "command -v sh"])).stdout.trim(), path.join(toolsDir, "ash"));
  }
  return execa("sh", ["-c", `. ${LIB}\n${script}`], { reject: false, env: { PATH: `${toolsDir}:${process.env.PATH}` }, extendEnv: false, all: true });
}

test("phases run in order, each in its documented directory, with one timing line each; an override may extend its default", async () => {
  const build = await scratch();
  const src = path.basename(build);
  const result = await runLib(`
STAGE=9-demo SRC=${src}
for p in unpack prepare configure build install check; do eval "do_$p() { echo \\"ran $p in \\$PWD\\"; }"; done
default_prepare() { echo "default prepare"; }
do_prepare() { default_prepare; echo "ran prepare in $PWD"; }
leak_check() { echo "leak check of \${1:-/out}"; }
run_phases`);
  assert.equal(result.exitCode, 0, result.all);
  const lines = result.stdout.split("\n");
  assert.deepEqual(lines.filter((l) => l.startsWith("ran ") || l.startsWith("default ")), [
    `ran unpack in ${path.dirname(build)}`,
    "default prepare",
    `ran prepare in ${build}`,
    `ran configure in ${build}`,
    `ran build in ${build}`,
    `ran install in ${build}`,
    "ran check in /",
  ]);
  assert.ok(lines.includes("default prepare"), "the override called its default");
  assert.deepEqual(lines.filter((l) => / took \d+ s$/.test(l)).map((l) => l.replace(/ took \d+ s$/, "")),
    ["9-demo: unpack", "9-demo: prepare", "9-demo: configure", "9-demo: build", "9-demo: install", "9-demo: check", "9-demo: leak check"]);
  assert.equal(lines.at(-1), "9-demo: ok");
});

test("a stage without STAGE or SRC stops with a message naming the variable", async () => {
  const noStage = await runLib("SRC=x run_phases; echo reached");
  assert.notEqual(noStage.exitCode, 0);
  assert.match(noStage.stderr, /set STAGE before run_phases/);
  assert.doesNotMatch(noStage.stdout, /reached/);
  const noSrc = await runLib("STAGE=9-demo; run_phases");
  assert.notEqual(noSrc.exitCode, 0);
  assert.match(noSrc.stderr, /9-demo: set SRC/);
});

test("replace_bin_sh rewrites only a first line that runs /bin/sh", async () => {
  const dir = await scratch();
  const files: Record<string, string> = {
    "a.sh": "#!/bin/sh\necho /bin/sh stays here\n",
    "b.sh": "#! /bin/sh -e\necho b\n",
    "c.pl": "#!/usr/bin/perl\n",
    "d.txt": "no shebang #!/bin/sh\n",
  };
  for (const [name, text] of Object.entries(files)) await fs.writeFile(path.join(dir, name), text);
  const result = await runLib(`STAGE=9-demo ASH=/store/1-tools/bin/ash; cd ${dir} && replace_bin_sh a.sh b.sh c.pl d.txt`);
  assert.equal(result.exitCode, 0, result.all);
  assert.match(result.stdout, /9-demo: 2 scripts now start with #!\/store\/1-tools\/bin\/ash/);
  assert.equal(await fs.readFile(path.join(dir, "a.sh"), "utf8"), "#!/store/1-tools/bin/ash\necho /bin/sh stays here\n");
  assert.equal(await fs.readFile(path.join(dir, "b.sh"), "utf8"), "#!/store/1-tools/bin/ash -e\necho b\n");
  assert.equal(await fs.readFile(path.join(dir, "c.pl"), "utf8"), files["c.pl"]);
  assert.equal(await fs.readFile(path.join(dir, "d.txt"), "utf8"), files["d.txt"]);
});

test("the leak check passes a clean output, names a file holding a build path, and fails when it cannot read the output", async () => {
  const out = await scratch();
  await fs.mkdir(path.join(out, "bin"));
  await fs.writeFile(path.join(out, "bin", "tool"), "nothing to see\n");
  const clean = await runLib(`STAGE=9-demo LEAK_STRINGS="/tmp/build /sources/"; leak_check ${out} && echo clean`);
  assert.equal(clean.exitCode, 0, clean.all);
  assert.match(clean.stdout, /clean/);
  await fs.writeFile(path.join(out, "bin", "tool"), "compiled in /tmp/build/src/x.c\n");
  const leaky = await runLib(`STAGE=9-demo LEAK_STRINGS="/tmp/build /sources/"; leak_check ${out}; echo reached`);
  assert.notEqual(leaky.exitCode, 0);
  assert.ok(leaky.stdout.includes(path.join(out, "bin", "tool")), leaky.all);
  assert.match(leaky.stderr, /9-demo: build paths leak into the files above/);
  assert.doesNotMatch(leaky.stdout, /reached/);
  const regexChars = await runLib(`STAGE=9-demo LEAK_STRINGS="/tmp/b.ild"; leak_check ${out} && echo clean`);
  assert.match(regexChars.stdout, /clean/, "strings are fixed, not patterns");
  const missing = await runLib(`STAGE=9-demo LEAK_STRINGS=/tmp/; leak_check ${path.join(out, "absent")}`);
  assert.notEqual(missing.exitCode, 0);
  assert.match(missing.stderr, /could not read/);
});

test("without an ash on PATH the library stops at once, naming the fix", async () => {
  const result = await execa("/bin/sh", ["-c", `. ${LIB}\necho reached`], { reject: false, env: { PATH: "/nonexistent" }, extendEnv: false });
  assert.notEqual(result.exitCode, 0);
  assert.match(result.stderr, /no ash on PATH \(list a tool that provides it\)/);
  assert.doesNotMatch(result.stdout, /reached/);
});
