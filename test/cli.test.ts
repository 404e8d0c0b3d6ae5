// The CLI as users meet it: exit codes, one-line errors, per-command flags, reports. One test boots a
// real VM (the smoke stage, through the whole CLI path); the rest boot nothing (failure paths on the
// fake backend are in test/stages/plan-executor.test.ts).
import assert from "node:assert/strict";
import path from "node:path";
import fs from "node:fs/promises";
import { test } from "node:test";
import { repoRoot } from "../src/paths.js";
import { zilchboot } from "./helpers/child-env.js";
import { provisioned, tempDir } from "./helpers/provisioned.js";
import { copySmokeStage } from "./helpers/recipes.js";

test("--help lists the commands and exits 0; no command is a usage error", async () => {
  const help = await zilchboot(["--help"]);
  assert.equal(help.exitCode, 0);
  for (const command of ["fetch", "seed", "kernel", "build", "plan", "status", "probe", "ls"]) assert.match(help.stdout, new RegExp(`\\n  ${command} `));
  assert.equal((await zilchboot([])).exitCode, 2);
  const perCommand = await zilchboot(["build", "--help"]);
  assert.equal(perCommand.exitCode, 0);
  assert.match(perCommand.stdout, /--timeout SEC/);
});

test("usage errors exit 2 with one line naming the problem", async () => {
  const unknown = await zilchboot(["frobnicate"]);
  assert.equal(unknown.exitCode, 2);
  assert.match(unknown.stderr, /^zilchboot: unknown command "frobnicate"; run 'zilchboot --help'/);
  const badFlag = await zilchboot(["build", "--no-such-flag"]);
  assert.equal(badFlag.exitCode, 2);
  assert.equal(badFlag.stderr.trim().split("\n").length, 1);
  assert.match(badFlag.stderr, /^zilchboot: build does not take --no-such-flag \(it takes: .*--cpus.*--update-lock.*\)/);
  // A flag's value that looks like a flag: one line in our words, not node's three-line complaint.
  const flagAsValue = await zilchboot(["build", "--cache", "--cache", "http://127.0.0.1:1/"]);
  assert.equal(flagAsValue.exitCode, 2);
  assert.equal(flagAsValue.stderr.trim().split("\n").length, 1, flagAsValue.stderr);
  assert.match(flagAsValue.stderr, /^zilchboot: build: --cache needs a value, got the flag --cache; put the value after --cache \(one that starts with a dash is written --cache=VALUE\)$/m);
  const badStage = await zilchboot(["build", "9-nope"]);
  assert.equal(badStage.exitCode, 2);
  assert.match(badStage.stderr, /^zilchboot: no stage named 9-nope; known stages: 0-smoke, 0-smoke-i386, 1-ddc, 1-stage1, /);
  const badCpus = await zilchboot(["build", "--cpus", "many"], { ZILCHBOOT_HOME: await tempDir("cli-cpus") });
  assert.equal(badCpus.exitCode, 2);
  assert.match(badCpus.stderr, /--cpus expects a positive integer, got "many"/);
  const badArch = await zilchboot(["kernel", "--arch", "arm"]);
  assert.equal(badArch.exitCode, 2);
  assert.match(badArch.stderr, /--arch must be one of x86_64, i386, got "arm"/);
});

test("a bad seed is rejected with the reason and a fix", async () => {
  const dynamic = await zilchboot(["seed", "--seed", "/bin/ls"]);
  assert.equal(dynamic.exitCode, 1);
  assert.match(dynamic.stderr, /^zilchboot: \/bin\/ls is not a usable seed: .*dynamic/);
  assert.match(dynamic.stderr, /--seed/);
});

test("build runs the smoke stage end to end, then reuses the store entry", async () => {
  const { kernel, seed } = await provisioned();
  const home = await tempDir("cli-build");
  const env = { ZILCHBOOT_HOME: home };
  const first = await zilchboot(["build", "0-smoke", "--kernel", kernel.path, "--seed", seed], env);
  assert.equal(first.exitCode, 0, first.stderr);
  assert.match(first.stderr, /0-smoke: built in [\d.]+s/);
  assert.match(first.stdout, /^0-smoke {2}out [0-9a-f]{64} {2}1 files 24 bytes/);
  const report = path.join(home, "report.json");
  const second = await zilchboot(["build", "0-smoke", "--kernel", kernel.path, "--seed", seed, "--json", report], env);
  assert.equal(second.exitCode, 0);
  assert.match(second.stderr, /0-smoke: cached/);
  assert.match(second.stderr, /^stage +result +wall +output +sha256\n0-smoke +cached +[\d.]+s +24 B +[0-9a-f]{16}$/m);
  const json = JSON.parse(await fs.readFile(report, "utf8")) as { target: string; stages: Array<{ stage: string; action: string; outputSha256: string }> };
  assert.equal(json.target, "0-smoke");
  assert.deepEqual(json.stages.map((s) => [s.stage, s.action]), [["0-smoke", "cached"]]);
  assert.ok(first.stdout.includes(json.stages[0].outputSha256));
  assert.equal(second.stdout, first.stdout);
  const ls = await zilchboot(["ls"], env);
  const [header, row, ...more] = ls.stdout.trimEnd().split("\n");
  assert.match(header, /^stage +output sha256 +files +bytes +path$/);
  assert.deepEqual(more, []);
  const built = /^0-smoke {2}out ([0-9a-f]{64}) {2}1 files 24 bytes {2}(\S+)$/.exec(first.stdout.trim())!;
  assert.deepEqual(row.split(/ +/), ["0-smoke", built[1], "1", "24", built[2]]);
  // The planner, without booting, computes the input hash the build stored.
  const plan = await zilchboot(["plan", "0-smoke", "--seed", seed], env);
  const storeDir = (await fs.readdir(path.join(home, "store"))).filter((name) => !name.startsWith("."))[0];
  assert.match(plan.stdout, new RegExp(`^0-smoke +local +input ${storeDir.replace("0-smoke-", "")} `, "m"));
  await fs.rm(home, { recursive: true, force: true });
});

test("ls on an empty store says so, naming the store, rather than printing nothing", async () => {
  const home = await tempDir("cli-ls-empty");
  const ls = await zilchboot(["ls"], { ZILCHBOOT_HOME: home });
  assert.equal(ls.exitCode, 0, ls.stderr);
  assert.equal(ls.stdout, `the store (${path.join(home, "store")}) is empty; 'zilchboot build' fills it`);
  await fs.rm(home, { recursive: true, force: true });
});

test("the old name ZILCHBOOT_CACHE still moves the download cache, with one warning line", async () => {
  const home = await tempDir("cli-old-cache-name");
  const ls = await zilchboot(["ls"], { ZILCHBOOT_HOME: home, ZILCHBOOT_DOWNLOADS: undefined, ZILCHBOOT_CACHE: path.join(home, "downloads") });
  assert.equal(ls.exitCode, 0, ls.stderr);
  assert.match(ls.stderr, /^warning: ZILCHBOOT_CACHE is now ZILCHBOOT_DOWNLOADS \(the download cache; the shared stage cache is --cache\/ZILCHBOOT_CACHE_URL\): the old name still works; rename it$/);
  const renamed = await zilchboot(["ls"], { ZILCHBOOT_HOME: home, ZILCHBOOT_DOWNLOADS: path.join(home, "downloads") });
  assert.equal(renamed.stderr, "");
  await fs.rm(home, { recursive: true, force: true });
});

test("each command takes its own flags; another command's flag is a usage error naming the ones it takes", async () => {
  const ls = await zilchboot(["ls", "--until", "x"]);
  assert.equal(ls.exitCode, 2);
  assert.equal(ls.stderr, "zilchboot: ls does not take --until (it takes: --help, --verbose); run 'zilchboot ls --help'");
  for (const [command, flag] of [["plan", "--cpus"], ["gc", "--force"], ["boot-iso", "--rerun"], ["shell", "--force"], ["fetch", "--seed"]]) {
    const result = await zilchboot([command, flag, "1"]);
    assert.equal(result.exitCode, 2, `${command} ${flag}`);
    assert.match(result.stderr, new RegExp(`^zilchboot: ${command} does not take ${flag} \\(it takes: [^)]*--help, `));
    assert.ok(!/\(it takes: [^)]*/.exec(result.stderr)![0].includes(flag), `${command} does not list ${flag}`);
  }
  const missing = await zilchboot(["build", "--cpus"]);
  assert.equal(missing.exitCode, 2);
  assert.equal(missing.stderr, "zilchboot: build: --cpus needs a value; run 'zilchboot build --help'");
});

/** A home that does not exist yet and a copy of the recipes with the given lock. */
async function sandbox(prefix: string, lock: unknown): Promise<{ root: string; env: Record<string, string>; lockFile: string }> {
  const root = await tempDir(prefix);
  const recipes = await copySmokeStage(path.join(root, "recipes"));
  await fs.copyFile(path.join(repoRoot, "recipes", "sources.json"), path.join(recipes, "sources.json"));
  const lockFile = path.join(recipes, "lock.json");
  await fs.writeFile(lockFile, JSON.stringify(lock));
  return { root, lockFile, env: { ZILCHBOOT_HOME: path.join(root, "home"), ZILCHBOOT_RECIPES: recipes, ZILCHBOOT_IMAGES: path.join(root, "images") } };
}

test("verify of a stage the lock lacks fails in one line, writes its --json report, and leaves the lock alone", async () => {
  const { root, env, lockFile } = await sandbox("cli-verify-unlocked", { stages: {} });
  const report = path.join(root, "verify.json");
  const result = await zilchboot(["verify", "0-smoke", "--json", report], env);
  assert.equal(result.exitCode, 2);
  assert.equal(result.stderr.trim().split("\n").length, 1);
  assert.match(result.stderr, /^zilchboot: cannot verify 0-smoke: .*lock\.json has no entry for it/);
  assert.equal(await fs.readFile(lockFile, "utf8"), JSON.stringify({ stages: {} }));
  const json = JSON.parse(await fs.readFile(report, "utf8")) as { ok: boolean; error: { code: string; message: string } };
  assert.equal(json.ok, false);
  assert.equal(json.error.code, "USAGE");
  assert.match(json.error.message, /has no entry for it/);
  await fs.rm(root, { recursive: true, force: true });
});

test("a failed build writes its --json report with the error", async () => {
  const { root, env } = await sandbox("cli-build-json", { stages: {} });
  const report = path.join(root, "build.json");
  const result = await zilchboot(["build", "9-nope", "--json", report], env);
  assert.equal(result.exitCode, 2);
  const json = JSON.parse(await fs.readFile(report, "utf8")) as { target: string; ok: boolean; stages: unknown[]; error: { message: string } };
  assert.deepEqual([json.target, json.ok, json.stages], ["9-nope", false, []]);
  assert.match(json.error.message, /no stage named 9-nope/);
  await fs.rm(root, { recursive: true, force: true });
});

test("plan builds nothing: without a built seed, seed-tcc stages are unknown until it is", async () => {
  const { root, env } = await sandbox("cli-plan", { stages: {} });
  // A stage without sources does not need recipes/sources.json at all.
  await fs.rm(path.join(env.ZILCHBOOT_RECIPES, "sources.json"));
  const result = await zilchboot(["plan", "0-smoke"], env);
  assert.equal(result.exitCode, 0, result.stderr);
  assert.match(result.stdout, /^0-smoke +unknown-until-inputs-built +input \(after its inputs\) .*x86_64 seed is not built yet/);
  await assert.rejects(fs.access(path.join(root, "images")), "no seed was built");
  await assert.rejects(fs.access(path.join(root, "home")), "no home was created");
  await fs.rm(root, { recursive: true, force: true });
});

test("gc removes store entries no lock names and leftover runs", async () => {
  const { root, env } = await sandbox("cli-gc", { stages: { "0-smoke": { output: "a".repeat(64) } } });
  const store = path.join(env.ZILCHBOOT_HOME, "store");
  for (const [name, output] of [["0-smoke-1111111111111111", "a".repeat(64)], ["0-smoke-2222222222222222", "b".repeat(64)]]) {
    await fs.mkdir(path.join(store, name, "out"), { recursive: true });
    await fs.writeFile(path.join(store, name, "record.json"), JSON.stringify({ stage: "0-smoke", inputHash: name.slice(8), outputSha256: output }));
  }
  await fs.mkdir(path.join(env.ZILCHBOOT_HOME, "runs", "0-smoke-x"), { recursive: true });
  const gc = await zilchboot(["gc"], env);
  assert.equal(gc.exitCode, 0, gc.stderr);
  assert.match(gc.stdout, /^removed .*0-smoke-2222222222222222$/m);
  // Dot-names are the store's own bookkeeping (entry locks, set-aside entries), not entries.
  assert.deepEqual((await fs.readdir(store)).filter((name) => !name.startsWith(".")), ["0-smoke-1111111111111111"]);
  assert.deepEqual(await fs.readdir(path.join(env.ZILCHBOOT_HOME, "runs")).catch(() => []), [], "the leftover run is gone");
  await fs.rm(root, { recursive: true, force: true });
});
