// `--backend auto` (the default) on a host without QEMU, through the real CLI: a small i386 stage
// falls back to v86, any other stage fails in one line. "Without QEMU" is a PATH holding every
// host tool except qemu-system-*.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { after, before, test } from "node:test";
import { execa } from "execa";
import { recipesDir } from "../../src/paths.js";
import { zilchboot as runCli } from "../helpers/child-env.js";
import { provisioned, tempDir } from "../helpers/provisioned.js";

let scratch: string;
let noQemuPath: string;
let vmFlags: string[];

before(async () => {
  const { kernel, seed } = await provisioned();
  vmFlags = ["--kernel", kernel.path, "--seed", seed];
  scratch = await tempDir("v86-auto");
  noQemuPath = path.join(scratch, "bin");
  await fs.mkdir(noQemuPath);
  for (const dir of (process.env.PATH ?? "").split(path.delimiter).filter(Boolean)) {
    for (const name of await fs.readdir(dir).catch(() => [] as string[])) {
      if (name.startsWith("qemu-system-")) continue;
      await fs.symlink(path.join(dir, name), path.join(noQemuPath, name)).catch(() => undefined); // first on PATH wins
    }
  }
  // The recipes as they are, twice: 0-smoke-i386 marked small in one copy, not small in the other.
  for (const [copy, small] of [["recipes", true], ["recipes-big", false]] as const) {
    await fs.cp(recipesDir(), path.join(scratch, copy), { recursive: true });
    const file = path.join(scratch, copy, "0-smoke-i386", "stage.json");
    await fs.writeFile(file, JSON.stringify({ ...JSON.parse(await fs.readFile(file, "utf8")), small }));
  }
});

after(async () => {
  await fs.rm(scratch, { recursive: true, force: true });
});

function zilchboot(args: string[], recipes: string, home = path.join(scratch, "home")) {
  return runCli([...args, ...vmFlags], { PATH: noQemuPath, ZILCHBOOT_HOME: home, ZILCHBOOT_RECIPES: recipes });
}

test("without QEMU, auto runs a small i386 stage under v86", async () => {
  assert.equal((await execa("qemu-system-i386", ["--version"], { reject: false, env: { PATH: noQemuPath } })).exitCode !== 0, true, "QEMU is hidden");
  const result = await zilchboot(["build", "0-smoke-i386"], path.join(scratch, "recipes"));
  assert.equal(result.exitCode, 0, result.stderr);
  assert.match(result.stderr, /0-smoke-i386: qemu-system-i386 not found; running this small stage under v86/);
  assert.match(result.stderr, /booting 0-smoke-i386 \(1 cpus/, "v86 is a uniprocessor");
  assert.match(result.stderr, /0-smoke-i386: built in [\d.]+s with v86/);
  const locked = (JSON.parse(await fs.readFile(path.join(scratch, "recipes", "lock.json"), "utf8")) as { stages: Record<string, { output: string }> }).stages["0-smoke-i386"].output;
  assert.ok(result.stdout.startsWith(`0-smoke-i386  out ${locked} `), result.stdout);
});

test("without QEMU, auto refuses a stage not marked small, in one line", async () => {
  // Another home: "small" is not part of the input hash, so the first test's entry would be reused.
  const result = await zilchboot(["build", "0-smoke-i386"], path.join(scratch, "recipes-big"), path.join(scratch, "home-big"));
  assert.equal(result.exitCode, 1);
  const errors = result.stderr.split("\n").filter((line) => line.startsWith("zilchboot:"));
  assert.deepEqual(errors, [`zilchboot: QEMU is not installed and stage 0-smoke-i386 is not marked "small": under v86 it would take ~3× longer; install QEMU (scripts/setup-host.sh), or force it with --backend v86`]);
});
