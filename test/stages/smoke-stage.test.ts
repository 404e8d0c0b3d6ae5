// Boots the real smoke stage in QEMU: output in the store, hermeticity, exit status, timeout, cache.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { after, before, test } from "node:test";
import { execa } from "execa";
import { ZilchError } from "../../src/errors.js";
import { cacheDir, recipesDir } from "../../src/paths.js";
import { guestDir } from "../../src/provision.js";
import { loadStage, type StageRecipe } from "../../src/stages/recipe.js";
import { buildStage, type BuildStageOptions } from "../../src/stages/run.js";
import { listEntries } from "../../src/store/store.js";
import { captureOutput } from "../../src/store/manifest.js";
import { QemuBackend } from "../../src/vm/qemu.js";
import { provisioned, tempDir } from "../helpers/provisioned.js";
import { copySmokeStage } from "../helpers/recipes.js";

let base: Omit<BuildStageOptions, "stage" | "workDir">;
let scratch: string;

before(async () => {
  const { kernel, seed } = await provisioned();
  scratch = await tempDir("smoke");
  base = {
    guestDir: guestDir(),
    seed,
    kernel: { path: kernel.path, identity: kernel.identity },
    sources: {},
    dependencies: {},
    backend: new QemuBackend({ probeKernel: kernel.path, cacheDir: cacheDir() }),
    cpus: 2,
  };
});

after(async () => {
  await fs.rm(scratch, { recursive: true, force: true });
});

/** A copy of recipes/0-smoke with other arguments, as a test manifest. */
async function smokeVariant(args: string[]): Promise<StageRecipe> {
  return loadStage(await copySmokeStage(path.join(scratch, `recipes-${args.join("_")}`), { args }), "0-smoke");
}

function lines(log: string, prefix: string): string[] {
  return log.split("\n").filter((l) => l.startsWith(prefix)).map((l) => l.slice(prefix.length));
}

test("the smoke stage boots, sees only its declared inputs and lands in the store", async () => {
  const workDir = path.join(scratch, "work-ok");
  const undeclaredDir = path.join(scratch, "sources");
  await fs.mkdir(undeclaredDir, { recursive: true });
  await fs.writeFile(path.join(undeclaredDir, "declared.txt"), "declared\n");
  await fs.writeFile(path.join(undeclaredDir, "undeclared.txt"), "secret\n");
  const stage = await loadStage(recipesDir(), "0-smoke");
  const sources = { fake: { servedAs: "declared.txt", path: path.join(undeclaredDir, "declared.txt"), sha256: "0".repeat(64) } };

  const first = await buildStage({ ...base, stage, workDir, sources });
  assert.equal(first.cached, false);
  assert.deepEqual(first.run?.outcome, { kind: "status", status: 0 });
  assert.equal(await fs.readFile(path.join(first.entry.outDir, "hello.txt"), "utf8"), "hello from the seed tcc\n");
  assert.equal(first.entry.record.outputSha256, (await captureOutput(first.entry.outDir)).sha256);
  assert.ok(first.run && first.run.initOutputMs !== null && first.run.initOutputMs < first.run.durationMs);

  const log = await fs.readFile(first.logFile!, "utf8");
  // Empty environment for the stage program, argv as declared.
  assert.deepEqual(lines(log, "env: "), []);
  assert.deepEqual(lines(log, "env count: "), ["0"]);
  assert.deepEqual(lines(log, "argv: "), ["exit=0"]);
  // Every vCPU came up (the kernel needs ACPI for that).
  assert.deepEqual(lines(log, "cpus: "), ["2"]);
  // No network interface but loopback.
  assert.deepEqual(lines(log, "net: "), ["lo"]);
  // Inputs are read-only: every write attempt fails with EROFS (-30).
  assert.deepEqual(lines(log, "write "), ["/recipe/smoke.c: -30", "/store/0-tcc-seed: -30", "/undeclared: -30"]);
  // Exactly the declared inputs are visible (the recipe's files without its stage.json).
  const recipeFiles = (await fs.readdir(stage.dir)).filter((f) => f !== "stage.json").sort().map((f) => `/recipe/${f}`);
  const guestFiles = (await fs.readdir(guestDir())).sort().map((f) => `/guest/${f}`);
  const expected = ["/dev/", "/guest/", ...guestFiles, "/out/", "/proc/", "/recipe/", ...recipeFiles, "/sources/", "/sources/declared.txt", "/store/", "/store/0-tcc-seed", "/tmp/"];
  assert.deepEqual(lines(log, "share: ").map((l) => `/${l.replace(/^\//, "")}`).sort(), expected.sort());
  assert.ok(!log.includes("undeclared.txt"));

  // Same inputs again: served from the store, no VM boot.
  const second = await buildStage({ ...base, stage, workDir, sources });
  assert.equal(second.cached, true);
  assert.equal(second.run, null);
  assert.equal(second.entry.record.outputSha256, first.entry.record.outputSha256);
});

test("a non-zero guest status fails the build and stores nothing", async () => {
  const workDir = path.join(scratch, "work-status");
  const stage = await smokeVariant(["exit=5"]);
  await assert.rejects(buildStage({ ...base, stage, workDir }), (error: unknown) => {
    assert.ok(error instanceof ZilchError);
    assert.equal(error.code, "STAGE");
    assert.match(error.message, /stage 0-smoke failed: guest exited 5 after \d+s/);
    assert.match(error.message, /log: .*0-smoke\.log/);
    assert.ok(error.details.some((line) => line.includes("exit status 5")));
    return true;
  });
  assert.deepEqual(await listEntries(workDir), []);
  assert.deepEqual(await fs.readdir(path.join(workDir, "runs")), [], "run directory removed");
});

test("a guest that outlives its timeout is killed, reported with its console tail, and stores nothing", async () => {
  const workDir = path.join(scratch, "work-timeout");
  const stage = await smokeVariant(["sleep=600"]);
  await assert.rejects(buildStage({ ...base, stage, workDir, timeoutMs: 6000 }), (error: unknown) => {
    assert.ok(error instanceof ZilchError);
    assert.match(error.message, /timed out after 6s, VM killed/);
    assert.ok(error.details.some((line) => line.includes("argv: sleep=600")), "console tail shows the guest's last words");
    return true;
  });
  assert.deepEqual(await listEntries(workDir), []);
  const { stdout } = await execa("ps", ["-eo", "args"]);
  assert.ok(!stdout.includes(path.join(workDir, "runs")), "no QEMU left serving the run directory");
});

test("an output that disagrees with the lock fails with both hashes; --update-lock accepts it", async () => {
  const workDir = path.join(scratch, "work-lock");
  await fs.mkdir(workDir, { recursive: true });
  const lockFile = path.join(workDir, "lock.json");
  const wrong = "f".repeat(64);
  await fs.writeFile(lockFile, JSON.stringify({ stages: { "0-smoke": { output: wrong } } }));
  const stage = await loadStage(recipesDir(), "0-smoke");
  await assert.rejects(buildStage({ ...base, stage, workDir, lockFile }), (error: unknown) => {
    assert.ok(error instanceof ZilchError);
    assert.match(error.message, new RegExp(`stage 0-smoke produced output sha256 [0-9a-f]{64}, .*lock\\.json expects ${wrong}`));
    assert.match(error.hint ?? "", /--update-lock/);
    return true;
  });
  assert.deepEqual(await listEntries(workDir), []);
  const accepted = await buildStage({ ...base, stage, workDir, lockFile, updateLock: true });
  const lock = JSON.parse(await fs.readFile(lockFile, "utf8")) as { stages: Record<string, { output: string }> };
  assert.equal(lock.stages["0-smoke"].output, accepted.entry.record.outputSha256);
  assert.notEqual(accepted.entry.record.outputSha256, wrong);
});
