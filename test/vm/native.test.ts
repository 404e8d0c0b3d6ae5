// The native runner (namespaces + chroot) runs the same share with the same hermeticity and output.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { recipesDir, repoRoot } from "../../src/paths.js";
import { guestDir } from "../../src/provision.js";
import { loadStage } from "../../src/stages/recipe.js";
import { buildStage } from "../../src/stages/run.js";
import { assembleShare } from "../../src/stages/share.js";
import { NativeBackend } from "../../src/vm/native.js";
import { copyLock } from "../helpers/home.js";
import { alive, commandOf, descendants } from "../helpers/processes.js";
import { provisioned, tempDir } from "../helpers/provisioned.js";
import { waitUntil } from "../helpers/wait-for-output.js";

test("the smoke stage runs natively with an empty env, only lo, read-only inputs and the locked output", async () => {
  const { kernel, seed } = await provisioned();
  const workDir = await tempDir("native");
  const stage = await loadStage(recipesDir(), "0-smoke");
  const result = await buildStage({
    stage, workDir, guestDir: guestDir(), seed, kernel: { path: kernel.path, identity: kernel.identity }, sources: {}, dependencies: {},
    backend: new NativeBackend(), cpus: 2, lockFile: await copyLock(workDir),
  });
  const log = await fs.readFile(result.logFile!, "utf8");
  assert.match(log, /^env count: 0$/m);
  assert.deepEqual(log.split("\n").filter((l) => l.startsWith("net: ")), ["net: lo"]);
  assert.match(log, /^write \/recipe\/smoke\.c: -30$/m);
  assert.match(result.entry.record.engine, /native/);
  await fs.rm(workDir, { recursive: true, force: true });
});

test("a scratch directory becomes the stage's /tmp, so a failed build's tree stays on the host", async () => {
  const { seed } = await provisioned();
  const runDir = await tempDir("native-scratch");
  const { rootDir, outDir } = await assembleShare(runDir, {
    seed, recipeDir: path.join(repoRoot, "test", "fixtures", "native-scratch"), guestDir: guestDir(), sources: {}, dependencies: {},
  });
  const scratchDir = path.join(runDir, "tmp");
  await fs.mkdir(scratchDir);
  const boot = (scratch?: string) => new NativeBackend().boot({
    kernel: "", rootDir, outDir, init: "/store/0-tcc-seed", initArgs: ["-nostdinc", "-nostdlib", "-I/guest", "-run", "/recipe/scratch.c"],
    memoryMiB: 256, cpus: 1, timeoutMs: 60_000, consoleLog: path.join(runDir, "console.log"), ...(scratch ? { scratchDir: scratch } : {}),
  });
  assert.deepEqual((await boot(scratchDir)).outcome, { kind: "status", status: 3 });
  assert.equal(await fs.readFile(path.join(scratchDir, "kept.txt"), "utf8"), "half-built\n");
  await fs.rm(path.join(scratchDir, "kept.txt"));
  // Without one, /tmp is a tmpfs that goes with the namespace.
  assert.deepEqual((await boot()).outcome, { kind: "status", status: 3 });
  assert.deepEqual(await fs.readdir(scratchDir), []);
  await fs.rm(runDir, { recursive: true, force: true });
});

/** Our processes whose command line names the fixture: tcc -run /recipe/linger.c and its fork, and
 *  the runner's own processes (unshare, the namespace's init) that carry it in their argv. */
function lingering(): number[] {
  return descendants(process.pid).filter((pid) => commandOf(pid).includes("/recipe/linger.c"));
}

// The kernel kills the namespace once its init dies with unshare, after unshare has exited: no
// line to wait for, so the test waits for those very processes to go, as long as the host takes.
test("stopping a native build kills every process in it, not only unshare", { timeout: 300_000 }, async () => {
  const { seed } = await provisioned();
  const runDir = await tempDir("native-linger");
  const { rootDir, outDir } = await assembleShare(runDir, {
    seed, recipeDir: path.join(repoRoot, "test", "fixtures", "native-linger"), guestDir: guestDir(), sources: {}, dependencies: {},
  });
  const stop = new AbortController();
  let forked: number[] = [];
  const run = new NativeBackend().boot({
    kernel: "", rootDir, outDir, init: "/store/0-tcc-seed", initArgs: ["-nostdinc", "-nostdlib", "-I/guest", "-run", "/recipe/linger.c"],
    memoryMiB: 256, cpus: 1, timeoutMs: 120_000, consoleLog: path.join(runDir, "console.log"),
    onConsoleLine: (line) => {
      if (!line.includes("forked")) return;
      // The program and its fork both exist once it says it forked; they sleep until killed.
      forked = lingering();
      stop.abort();
    },
  }, stop.signal);
  const result = await run;
  assert.equal(result.outcome.kind, "backend-error", JSON.stringify(result.outcome));
  assert.ok(stop.signal.aborted, "the program forked before it was stopped");
  assert.ok(forked.length >= 2, `the program and its fork were running when it was stopped: ${forked.map(commandOf).join("; ")}`);
  await waitUntil("the stopped build's processes to exit", () => forked.every((pid) => !alive(pid)), 240_000);
  assert.deepEqual(lingering(), [], "no process of the stopped build is left");
  await fs.rm(runDir, { recursive: true, force: true });
});
