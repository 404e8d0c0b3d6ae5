// The v86 backend end to end: the project's i386 kernel (bzImage) and i386 seed run the real smoke
// stage (0-smoke-i386) inside v86, in this Node process: root and /out over our 9p server, status
// through port 0xf4, console through the serial port. Also: a guest status, a timeout.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { ZilchError } from "../../src/errors.js";
import { recipesDir, repoRoot } from "../../src/paths.js";
import { guestDir, provideKernel, provideSeed, type ProvisionOptions } from "../../src/provision.js";
import { loadStage } from "../../src/stages/recipe.js";
import { guestCommand } from "../../src/stages/runners.js";
import { assembleShare } from "../../src/stages/share.js";
import { buildStage, type BuildStageOptions } from "../../src/stages/run.js";
import { readLock } from "../../src/store/lock.js";
import { listEntries } from "../../src/store/store.js";
import { V86 } from "v86";
import { V86Backend } from "../../src/vm/v86.js";
import { tempDir } from "../helpers/provisioned.js";
import { copySmokeStage } from "../helpers/recipes.js";

const options: ProvisionOptions = { mirrors: [], progress: false, log: () => {}, verbose: false, jobs: os.availableParallelism() };
let scratch: string;
let base: Omit<BuildStageOptions, "stage" | "workDir">;

before(async () => {
  const kernel = await provideKernel(undefined, options, "i386");
  const seed = await provideSeed(undefined, options, "i386");
  scratch = await tempDir("v86");
  base = {
    guestDir: guestDir(),
    seed: seed.path,
    kernel: { path: kernel.path, identity: kernel.identity },
    sources: {},
    dependencies: {},
    backend: new V86Backend(),
    cpus: 1,
  };
});

after(async () => {
  await fs.rm(scratch, { recursive: true, force: true });
});

function lines(log: string, prefix: string): string[] {
  return log.split("\n").filter((l) => l.startsWith(prefix)).map((l) => l.slice(prefix.length));
}

/** 0-smoke-i386 with other arguments, as a test manifest. */
async function smokeVariant(args: string[]) {
  const root = path.join(scratch, `recipes-${args.join("_")}`);
  await copySmokeStage(root);
  await fs.cp(path.join(recipesDir(), "0-smoke-i386"), path.join(root, "0-smoke-i386"), { recursive: true });
  const file = path.join(root, "0-smoke-i386", "stage.json");
  await fs.writeFile(file, JSON.stringify({ ...JSON.parse(await fs.readFile(file, "utf8")), args }));
  return loadStage(root, "0-smoke-i386");
}

test("v86 boots the project's i386 kernel and runs the smoke stage hermetically; output equals QEMU's", async (t) => {
  const stage = await loadStage(recipesDir(), "0-smoke-i386");
  const result = await buildStage({ ...base, stage, workDir: path.join(scratch, "ok") });
  assert.deepEqual(result.run?.outcome, { kind: "status", status: 0 });
  assert.match(result.run?.engine ?? "", /^v86/);
  assert.match(result.entry.record.engine as string, /^v86 v86/);
  assert.equal(await fs.readFile(path.join(result.entry.outDir, "hello.txt"), "utf8"), "hello from the seed tcc\n");
  // Same bytes as the x86_64 smoke stage under QEMU (recipes/lock.json).
  assert.equal(result.entry.record.outputSha256, (await readLock(path.join(recipesDir(), "lock.json"))).stages["0-smoke"].output);

  const log = await fs.readFile(result.logFile!, "utf8");
  assert.match(log, /Linux version 6\.1\.\d+/);
  assert.deepEqual(lines(log, "word bits: "), ["32"]);
  assert.deepEqual(lines(log, "argv: "), ["exit=0"]);
  assert.deepEqual(lines(log, "env count: "), ["0"], "empty environment");
  assert.deepEqual(lines(log, "net: "), ["lo"], "no NIC");
  assert.deepEqual(lines(log, "write "), ["/recipe/smoke.c: -30", "/store/0-tcc-seed: -30", "/undeclared: -30"], "read-only inputs");
  // Exactly the declared inputs: the recipe, our guest headers, the seed, the mount points.
  // stage.json is not served: only the recipe's files are (it is not part of the input hash either).
  const recipeFiles = (await fs.readdir(stage.dir)).filter((f) => f !== "stage.json").sort().map((f) => `/recipe/${f}`);
  const guestFiles = (await fs.readdir(guestDir())).sort().map((f) => `/guest/${f}`);
  const expected = ["/dev/", "/guest/", ...guestFiles, "/out/", "/proc/", "/recipe/", ...recipeFiles, "/sources/", "/store/", "/store/0-tcc-seed", "/tmp/"];
  assert.deepEqual(lines(log, "share: ").map((l) => `/${l.replace(/^\//, "")}`).sort(), expected.sort());

  const run = result.run!;
  assert.ok(run.firstOutputMs !== null && run.initOutputMs !== null && run.firstOutputMs < run.initOutputMs && run.initOutputMs < run.durationMs);
  t.diagnostic(`v86: first console byte ${run.firstOutputMs} ms, PID 1 output ${run.initOutputMs} ms, whole run ${run.durationMs} ms`);
});

test("a guest status travels through port 0xf4: exit=5 fails the build and stores nothing", async () => {
  const workDir = path.join(scratch, "status");
  await assert.rejects(buildStage({ ...base, stage: await smokeVariant(["exit=5"]), workDir }), (error: unknown) => {
    assert.ok(error instanceof ZilchError);
    assert.match(error.message, /stage 0-smoke-i386 failed: guest exited 5 after \d+s/);
    return true;
  });
  assert.deepEqual(await listEntries(workDir), []);
});

test("a timeout destroys the emulator: it stops running and nothing is stored", async (t) => {
  // Watch the emulators this test creates (v86.ts imports the same module): each must end destroyed.
  const emulators: V86[] = [];
  const destroyed = new Set<V86>();
  const { run, destroy } = V86.prototype;
  t.mock.method(V86.prototype, "run", function (this: V86) {
    emulators.push(this);
    return run.call(this);
  });
  t.mock.method(V86.prototype, "destroy", function (this: V86) {
    destroyed.add(this);
    return destroy.call(this);
  });
  const workDir = path.join(scratch, "timeout");
  await assert.rejects(buildStage({ ...base, stage: await smokeVariant(["sleep=600"]), workDir, timeoutMs: 4000, keep: true, onConsoleLine: () => {} }), (error: unknown) => {
    assert.ok(error instanceof ZilchError);
    assert.match(error.message, /timed out after 4s, VM killed/);
    return true;
  });
  assert.equal(emulators.length, 1, "one emulator ran");
  assert.ok(destroyed.has(emulators[0]), "the emulator was destroyed");
  assert.equal(emulators[0].is_running(), false, "the emulator's CPU loop stopped");
  assert.deepEqual(await listEntries(workDir), []);
});

test("a guest that dies without a status (init missing: kernel panic, reset) ends as no-status", async () => {
  const dir = path.join(scratch, "no-status");
  await fs.mkdir(path.join(dir, "root"), { recursive: true });
  await fs.mkdir(path.join(dir, "out"));
  const run = await new V86Backend().boot({
    kernel: base.kernel.path,
    rootDir: path.join(dir, "root"),
    outDir: path.join(dir, "out"),
    init: "/no-such-init",
    initArgs: [],
    memoryMiB: 64,
    cpus: 1,
    timeoutMs: 120_000,
    consoleLog: path.join(dir, "console.log"),
  });
  assert.equal(run.outcome.kind, "no-status");
  assert.ok(run.consoleTail.some((line) => /Kernel panic - not syncing/.test(line)), run.consoleTail.join("\n"));
  assert.deepEqual(await fs.readdir(path.join(dir, "out")), []);
});

test("executable bits and symlinks cross the 9p shares both ways", async () => {
  // A stage of our own (test/fixtures/v86-io): its recipe holds a host symlink; it writes a 0755
  // script, a symlink and a 0700 directory into /out. Booted directly: the store would normalise modes.
  const recipes = path.join(scratch, "io-recipes");
  const declaration = { name: "0-v86io", arch: "i386", runner: "seed-tcc", program: "io.c", args: [], sources: [], inputs: [] };
  await fs.mkdir(path.join(recipes, "0-v86io"), { recursive: true });
  await fs.copyFile(path.join(repoRoot, "test", "fixtures", "v86-io", "io.c"), path.join(recipes, "0-v86io", "io.c"));
  await fs.writeFile(path.join(recipes, "0-v86io", "stage.json"), JSON.stringify(declaration));
  await fs.symlink("io.c", path.join(recipes, "0-v86io", "in-link"));
  const stage = await loadStage(recipes, "0-v86io");
  const runDir = path.join(scratch, "io-run");
  const { rootDir, outDir } = await assembleShare(runDir, { seed: base.seed, recipeDir: stage.dir, guestDir: guestDir(), sources: {}, dependencies: {} });
  const run = await new V86Backend().boot({
    kernel: base.kernel.path, rootDir, outDir, ...guestCommand(stage, 1), memoryMiB: 128, cpus: 1, timeoutMs: 180_000, consoleLog: path.join(runDir, "console.log"),
  });
  assert.deepEqual(run.outcome, { kind: "status", status: 0 }, run.consoleTail.join("\n"));
  const log = await fs.readFile(path.join(runDir, "console.log"), "utf8");
  assert.deepEqual(lines(log, "readlink: "), ["io.c"], "a host symlink reaches the guest as a symlink");
  assert.deepEqual([...lines(log, "symlink: "), ...lines(log, "mkdir: ")], ["0", "0"]);
  assert.equal((await fs.stat(path.join(outDir, "run.sh"))).mode & 0o7777, 0o755, "the guest's exec bits reach the host");
  assert.equal(await fs.readlink(path.join(outDir, "link")), "run.sh", "the guest's symlink reaches the host");
  assert.equal((await fs.stat(path.join(outDir, "private"))).mode & 0o7777, 0o700);
  assert.equal(await fs.readFile(path.join(outDir, "link"), "utf8"), "#!/bin/sh\necho made in v86\n");
});
