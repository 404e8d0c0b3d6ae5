// The CLI as users meet it: exit codes and one-line errors.
import assert from "node:assert/strict";
import path from "node:path";
import fs from "node:fs/promises";
import { test } from "node:test";
import { execa } from "execa";
import { repoRoot } from "../src/paths.js";
import { provisioned, tempDir } from "./helpers/provisioned.js";
import { copySmokeStage } from "./helpers/recipes.js";

const cli = path.join(repoRoot, "dist", "src", "cli.js");

async function zilchboot(args: string[], env: Record<string, string> = {}) {
  return execa("node", [cli, ...args], { reject: false, env: { ...process.env, ...env } });
}

test("--help lists the commands and exits 0; no command is a usage error", async () => {
  const help = await zilchboot(["--help"]);
  assert.equal(help.exitCode, 0);
  for (const command of ["fetch", "seed", "kernel", "build", "plan", "probe", "ls"]) assert.match(help.stdout, new RegExp(`\\n  ${command} `));
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
  const badStage = await zilchboot(["build", "9-nope"]);
  assert.equal(badStage.exitCode, 2);
  assert.match(badStage.stderr, /no stage named 9-nope .*known stages: 0-smoke, 0-smoke-i386, 1-ddc, 1-stage1, /);
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
  assert.equal(ls.stdout.trim(), first.stdout.trim());
  // The planner, without booting, computes the input hash the build stored.
  const plan = await zilchboot(["plan", "0-smoke", "--seed", seed], env);
  const storeDir = (await fs.readdir(path.join(home, "store")))[0];
  assert.match(plan.stdout, new RegExp(`^0-smoke +reuse +input ${storeDir.replace("0-smoke-", "")} `, "m"));
  await fs.rm(home, { recursive: true, force: true });
});

test("a build that times out exits 1, names the log, and shows the console tail", async () => {
  const { kernel, seed } = await provisioned();
  const home = await tempDir("cli-timeout");
  const recipes = await copySmokeStage(path.join(home, "recipes"), { args: ["sleep=600"] });
  const result = await zilchboot(["build", "0-smoke", "--kernel", kernel.path, "--seed", seed, "--timeout", "5"], { ZILCHBOOT_HOME: home, ZILCHBOOT_RECIPES: recipes });
  assert.equal(result.exitCode, 1);
  assert.match(result.stderr, /zilchboot: stage 0-smoke failed: timed out after 5s, VM killed .*log: .*logs\/0-smoke\.log; nothing was stored/);
  assert.match(result.stderr, /last console lines:\n(.*\n)* {2}argv: sleep=600/);
  await fs.rm(home, { recursive: true, force: true });
});

test("SIGTERM during a stage kills the VM, stores nothing, cleans the run and exits 130", async () => {
  const { kernel, seed } = await provisioned();
  const home = await tempDir("cli-sigterm");
  const recipes = await copySmokeStage(path.join(home, "recipes"), { args: ["sleep=600"] });
  const child = execa("node", [cli, "build", "0-smoke", "--kernel", kernel.path, "--seed", seed], {
    reject: false,
    env: { ...process.env, ZILCHBOOT_HOME: home, ZILCHBOOT_RECIPES: recipes },
  });
  await new Promise<void>((resolve) => {
    child.stderr.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("booting 0-smoke")) setTimeout(resolve, 3000);
    });
  });
  const killedAt = Date.now();
  child.kill("SIGTERM");
  const result = await child;
  assert.equal(result.exitCode, 130, result.stderr);
  assert.ok(Date.now() - killedAt < 8000);
  assert.match(result.stderr, /SIGTERM, stopping/);
  assert.deepEqual(await fs.readdir(path.join(home, "runs")), []);
  assert.equal(await fs.readdir(path.join(home, "store")).catch(() => "none"), "none");
  const { stdout } = await execa("ps", ["-eo", "args"]);
  assert.ok(!stdout.includes(path.join(home, "runs")), "no QEMU left behind");
  await fs.rm(home, { recursive: true, force: true });
});

test("verify reproduces a locked stage, fails on a wrong lock; gc drops what no lock names", async () => {
  const { kernel, seed } = await provisioned();
  const home = await tempDir("cli-verify");
  const recipes = await copySmokeStage(path.join(home, "recipes"));
  const env = { ZILCHBOOT_HOME: home, ZILCHBOOT_RECIPES: recipes };
  const vm = ["--kernel", kernel.path, "--seed", seed];
  const realLock = JSON.parse(await fs.readFile(path.join(repoRoot, "recipes", "lock.json"), "utf8")) as { stages: Record<string, unknown> };
  await fs.writeFile(path.join(recipes, "lock.json"), JSON.stringify({ stages: { "0-smoke": realLock.stages["0-smoke"] } }));
  const good = await zilchboot(["verify", "0-smoke", ...vm], env);
  assert.equal(good.exitCode, 0, good.stderr);
  assert.match(good.stdout, /^0-smoke: reproduced [0-9a-f]{64} \(matches recipes\/lock\.json\)$/m);
  assert.equal(await fs.readdir(path.join(home, "store")).catch(() => "none"), "none", "verify leaves the real store alone");

  await fs.writeFile(path.join(recipes, "lock.json"), JSON.stringify({ stages: { "0-smoke": { output: "0".repeat(64) } } }));
  const bad = await zilchboot(["verify", "0-smoke", ...vm], env);
  assert.equal(bad.exitCode, 1);
  assert.match(bad.stderr, new RegExp(`stage 0-smoke produced output sha256 [0-9a-f]{64}, .*lock\\.json expects ${"0".repeat(64)}`));

  assert.equal((await zilchboot(["build", "0-smoke", ...vm, "--update-lock"], env)).exitCode, 0);
  assert.equal((await fs.readdir(path.join(home, "store"))).length, 1);
  await fs.writeFile(path.join(recipes, "lock.json"), JSON.stringify({ stages: {} }));
  const gc = await zilchboot(["gc"], env);
  assert.match(gc.stdout, /^removed .*0-smoke-/m);
  assert.deepEqual(await fs.readdir(path.join(home, "store")), []);
  await fs.rm(home, { recursive: true, force: true });
});

test("SIGKILL of the CLI mid-stage takes QEMU down too, leaves the store unchanged, and the next build succeeds", async () => {
  const { kernel, seed } = await provisioned();
  const home = await tempDir("cli-sigkill");
  const recipes = await copySmokeStage(path.join(home, "recipes"), { args: ["sleep=600"] });
  const env = { ...process.env, ZILCHBOOT_HOME: home, ZILCHBOOT_RECIPES: recipes };
  const child = execa("node", [cli, "build", "0-smoke", "--kernel", kernel.path, "--seed", seed], { reject: false, env });
  await new Promise<void>((resolve) => {
    child.stderr.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("booting 0-smoke")) setTimeout(resolve, 3000);
    });
  });
  child.kill("SIGKILL");
  await child;
  let qemuLeft = true;
  for (let i = 0; i < 20 && qemuLeft; i++) {
    await new Promise((r) => setTimeout(r, 250));
    qemuLeft = (await execa("ps", ["-eo", "args"])).stdout.includes(path.join(home, "runs"));
  }
  assert.equal(qemuLeft, false, "QEMU died with its parent");
  assert.equal(await fs.readdir(path.join(home, "store")).catch(() => "none"), "none");
  await copySmokeStage(recipes, { args: ["exit=0"] });
  const next = await execa("node", [cli, "build", "0-smoke", "--kernel", kernel.path, "--seed", seed], { reject: false, env });
  assert.equal(next.exitCode, 0, next.stderr);
  await fs.rm(home, { recursive: true, force: true });
});
