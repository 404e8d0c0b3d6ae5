// Signals to the CLI while a stage's VM runs (real QEMU, moved out of test/cli.test.ts, which keeps
// one VM test): SIGTERM stops the VM and stores nothing; SIGKILL takes QEMU down with the CLI.
// They wait for the guest's own output in the run's log, not for a fixed time.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { execa } from "execa";
import { zilchboot } from "../helpers/child-env.js";
import { provisioned, tempDir } from "../helpers/provisioned.js";
import { copySmokeStage } from "../helpers/recipes.js";

const TIMEOUT = { timeout: 300_000 };

/** Resolves once the sleeping smoke guest has printed its argv (PID 1 is running); fails at once
 *  if the build ends before that. */
async function guestRunning(home: string, child: Promise<{ exitCode?: number; stderr: string }>): Promise<void> {
  let ended: string | null = null;
  void child.then((result) => (ended = `the build ended first (exit ${result.exitCode}): ${result.stderr}`));
  for (;;) {
    const log = await fs.readFile(path.join(home, "logs", "0-smoke.log"), "utf8").catch(() => "");
    if (log.includes("argv: sleep=600")) return;
    if (ended) throw new Error(ended);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function qemuServing(dir: string): Promise<boolean> {
  return (await execa("ps", ["-eo", "args"])).stdout.includes(dir);
}

async function sleepingBuild(prefix: string) {
  const { kernel, seed } = await provisioned();
  const home = await tempDir(prefix);
  const recipes = await copySmokeStage(path.join(home, "recipes"), { args: ["sleep=600"] });
  const env = { ZILCHBOOT_HOME: home, ZILCHBOOT_RECIPES: recipes };
  const args = ["build", "0-smoke", "--kernel", kernel.path, "--seed", seed];
  return { home, recipes, env, args, child: zilchboot(args, env) };
}

/** Entries in the store; dot-names (.locks, .replaced) are its own bookkeeping. */
async function storeEntries(home: string): Promise<string[]> {
  return (await fs.readdir(path.join(home, "store")).catch(() => [] as string[])).filter((name) => !name.startsWith("."));
}

test("SIGTERM during a stage kills the VM, stores nothing, cleans the run and exits 130", TIMEOUT, async () => {
  const { home, child } = await sleepingBuild("cli-sigterm");
  await guestRunning(home, child);
  child.kill("SIGTERM");
  const result = await child;
  assert.equal(result.exitCode, 130, result.stderr);
  assert.match(result.stderr, /SIGTERM, stopping/);
  assert.deepEqual(await fs.readdir(path.join(home, "runs")), []);
  assert.deepEqual(await storeEntries(home), [], "nothing stored");
  assert.equal(await qemuServing(path.join(home, "runs")), false, "no QEMU left behind");
  await fs.rm(home, { recursive: true, force: true });
});

test("SIGKILL of the CLI mid-stage takes QEMU down too, leaves the store unchanged, and the next build succeeds", TIMEOUT, async () => {
  const { home, recipes, env, args, child } = await sleepingBuild("cli-sigkill");
  await guestRunning(home, child);
  child.kill("SIGKILL");
  await child;
  // QEMU notices its parent's death on its own; poll until it is gone (the test timeout bounds it).
  while (await qemuServing(path.join(home, "runs"))) await new Promise((resolve) => setTimeout(resolve, 250));
  assert.deepEqual(await storeEntries(home), [], "nothing stored");
  await copySmokeStage(recipes, { args: ["exit=0"] });
  const next = await zilchboot(args, env);
  assert.equal(next.exitCode, 0, next.stderr);
  await fs.rm(home, { recursive: true, force: true });
});
