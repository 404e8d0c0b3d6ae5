// The v86 backend with the shares in foreign mode (`--share-fs foreign`): the root is a MetaTree
// built from the stage's inputs and /out a MetaTree whose file contents sit on a simulated
// NTFS-like file system (no exec bits, no symlinks, case-insensitive names; foreign-fs.ts). The
// real smoke stage still gives the locked output, through the same chain the CLI runs, and exec
// bits and symlinks still cross both shares. (x86_64 0-smoke and 1-stage1 need QEMU to serve
// the trees: test/vm/qemu-foreign.test.ts.) With an archive store the output is kept as its tar.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { createHostSession } from "../../src/host-session.js";
import { recipesDir, repoRoot } from "../../src/paths.js";
import { guestDir, provideKernel, provideSeed, type ProvisionOptions } from "../../src/provision.js";
import { buildTarget } from "../../src/stages/chain.js";
import { loadStage } from "../../src/stages/recipe.js";
import { guestCommand } from "../../src/stages/runners.js";
import { treeShares } from "../../src/stages/share-fs-mode.js";
import { archiveIdentity } from "../../src/store/archive-entry.js";
import { readLock } from "../../src/store/lock.js";
import { captureMetaTree } from "../../src/vm/p9/meta-output.js";
import { V86Backend } from "../../src/vm/v86.js";
import { copyRecipes, tempDir } from "../helpers/home.js";

const options: ProvisionOptions = { mirrors: [], progress: false, log: () => {}, verbose: false, jobs: os.availableParallelism() };
let scratch: string;
let kernel: string;
let seed: string;

before(async () => {
  kernel = (await provideKernel(undefined, options, "i386")).path;
  seed = (await provideSeed(undefined, options, "i386")).path;
  scratch = await tempDir("v86-foreign");
});

after(async () => {
  await fs.rm(scratch, { recursive: true, force: true });
});

function lines(log: string, prefix: string): string[] {
  return log.split("\n").filter((l) => l.startsWith(prefix)).map((l) => l.slice(prefix.length));
}

test("0-smoke-i386 with foreign-mode shares gives the locked 0-smoke output, through the chain", async () => {
  const recipes = await copyRecipes(path.join(scratch, "recipes"));
  const logged: string[] = [];
  const session = createHostSession({ home: path.join(scratch, "home"), recipesRoot: recipes, backend: "v86", shareFs: "foreign", vm: { cpus: 1 }, log: (line) => logged.push(line) });
  const entry = await buildTarget(session, "0-smoke-i386");
  const locked = (await readLock(path.join(recipesDir(), "lock.json"))).stages["0-smoke"].output;
  assert.equal(entry.record.outputSha256, locked);
  assert.equal((await readLock(path.join(recipes, "lock.json"))).stages["0-smoke-i386"].output, locked, "the lock copy agrees");
  assert.match(entry.record.engine, /^v86/);
  assert.ok(logged.some((line) => /shares in foreign mode/.test(line)), logged.join("\n"));
  assert.equal(await fs.readFile(path.join(entry.outDir, "hello.txt"), "utf8"), "hello from the seed tcc\n");

  // Hermetic as with host directories: exactly the declared inputs, and the root refuses writes.
  const log = await fs.readFile(path.join(scratch, "home", "logs", "0-smoke-i386.log"), "utf8");
  assert.deepEqual(lines(log, "write "), ["/recipe/smoke.c: -30", "/store/0-tcc-seed: -30", "/undeclared: -30"]);
  const recipeFiles = (await fs.readdir(path.join(recipes, "0-smoke"))).filter((f) => f !== "stage.json").map((f) => `/recipe/${f}`);
  const guestFiles = (await fs.readdir(guestDir())).map((f) => `/guest/${f}`);
  const expected = ["/dev/", "/guest/", ...guestFiles, "/out/", "/proc/", "/recipe/", ...recipeFiles, "/sources/", "/store/", "/store/0-tcc-seed", "/tmp/"];
  assert.deepEqual(lines(log, "share: ").map((l) => `/${l.replace(/^\//, "")}`).sort(), expected.sort());
});

test("exec bits, symlinks and modes cross foreign-mode shares both ways", async () => {
  const recipes = path.join(scratch, "io-recipes");
  const declaration = { name: "0-v86io", arch: "i386", runner: "seed-tcc", program: "io.c", args: [], sources: [], inputs: [] };
  await fs.mkdir(path.join(recipes, "0-v86io"), { recursive: true });
  await fs.copyFile(path.join(repoRoot, "test", "fixtures", "v86-io", "io.c"), path.join(recipes, "0-v86io", "io.c"));
  await fs.writeFile(path.join(recipes, "0-v86io", "stage.json"), JSON.stringify(declaration));
  await fs.symlink("io.c", path.join(recipes, "0-v86io", "in-link"));
  const stage = await loadStage(recipes, "0-v86io");
  const runDir = path.join(scratch, "io-run");
  await fs.mkdir(runDir);
  const { rootTree, outTree } = await treeShares(runDir, { seed, recipeDir: stage.dir, guestDir: guestDir(), sources: {}, dependencies: {} }, "foreign");
  const run = await new V86Backend().boot({
    kernel, rootDir: path.join(runDir, "root"), rootTree, outTree, ...guestCommand(stage, 1), memoryMiB: 128, cpus: 1, timeoutMs: 300_000, consoleLog: path.join(runDir, "console.log"),
  });
  assert.deepEqual(run.outcome, { kind: "status", status: 0 }, run.consoleTail.join("\n"));
  const log = await fs.readFile(path.join(runDir, "console.log"), "utf8");
  assert.deepEqual(lines(log, "readlink: "), ["io.c"], "a recipe symlink reaches the guest as a symlink");
  assert.deepEqual([...lines(log, "symlink: "), ...lines(log, "mkdir: ")], ["0", "0"], "the guest made a symlink on a host that has none");
  assert.equal((await outTree.lstat(["run.sh"])).mode & 0o7777, 0o755, "the guest's exec bits are kept");
  assert.equal(await outTree.readlink(["link"]), "run.sh");
  assert.equal((await outTree.lstat(["private"])).mode & 0o7777, 0o700);
  const { manifest } = await captureMetaTree(outTree);
  assert.deepEqual(manifest.map((e) => `${e.path} ${e.type} ${e.mode} ${e.target}`), ["link symlink  run.sh", "private dir 0755 ", "run.sh file 0755 "]);
  // On the simulated host: opaque spill files only, no exec bit (NTFS has none).
  const spill = path.join(runDir, "foreign-fs", "spill");
  const names = await fs.readdir(spill);
  assert.ok(names.length > 0 && names.every((n) => /^s\d+$/.test(n)), names.join(" "));
  for (const name of names) assert.equal((await fs.stat(path.join(spill, name))).mode & 0o111, 0);
});

test("0-smoke-i386 under v86 in an archive store (Windows' default) is stored as out.tar alone, with the locked identity", async () => {
  const recipes = await copyRecipes(path.join(scratch, "archive-recipes"));
  const session = createHostSession({ home: path.join(scratch, "archive-home"), recipesRoot: recipes, backend: "v86", shareFs: "foreign", store: "archive", vm: { cpus: 1 }, log: () => {} });
  const entry = await buildTarget(session, "0-smoke-i386");
  const locked = (await readLock(path.join(recipesDir(), "lock.json"))).stages["0-smoke"].output;
  assert.deepEqual((await fs.readdir(entry.dir)).sort(), ["out.tar", "record.json"], "no out/ directory");
  assert.equal(entry.record.outputSha256, locked);
  assert.equal((await archiveIdentity(entry.archive!)).sha256, locked, "the identity read from the tar");
});
