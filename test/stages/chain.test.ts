// A two-stage chain in real VMs: the dependency is built first and served read-only at /store/<name>.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { ZilchError } from "../../src/errors.js";
import { cacheDir } from "../../src/paths.js";
import { guestDir } from "../../src/provision.js";
import { buildChain, type ChainOptions } from "../../src/stages/chain.js";
import { listEntries } from "../../src/store/store.js";
import { QemuBackend } from "../../src/vm/qemu.js";
import { provisioned, tempDir } from "../helpers/provisioned.js";
import { copySmokeStage } from "../helpers/recipes.js";

/** Chain options over the real kernel, seed and QEMU, with recipes and store under `scratch`. */
async function chainIn(scratch: string, cpus: number): Promise<ChainOptions> {
  const { kernel, seed } = await provisioned();
  return {
    recipesRoot: path.join(scratch, "recipes"),
    provision: { mirrors: [], progress: false, log: () => {}, verbose: false, jobs: os.availableParallelism() },
    workDir: path.join(scratch, "work"),
    guestDir: guestDir(),
    seed,
    kernel: { path: kernel.path, identity: kernel.identity },
    backend: new QemuBackend({ probeKernel: kernel.path, cacheDir: cacheDir() }),
    cpus,
  };
}

test("build runs a stage's inputs first and serves their outputs read-only; the second run boots nothing", async () => {
  const scratch = await tempDir("chain");
  const recipesRoot = path.join(scratch, "recipes");
  await copySmokeStage(recipesRoot, { name: "0-first", inputs: [] });
  await copySmokeStage(recipesRoot, { name: "1-second", inputs: ["0-first"] });
  const built: string[] = [];
  const options: ChainOptions = { ...(await chainIn(scratch, 2)), onStageDone: (name, result) => built.push(`${name}:${result.cached ? "cached" : "built"}`) };
  const entry = await buildChain("1-second", options);
  assert.deepEqual(built, ["0-first:built", "1-second:built"]);
  const log = await fs.readFile(path.join(scratch, "work", "logs", "1-second.log"), "utf8");
  assert.match(log, /^share: \/store\/0-first\/hello\.txt$/m);
  assert.deepEqual((await listEntries(options.workDir)).map((e) => e.record.stage), ["0-first", "1-second"]);
  assert.deepEqual((entry.record.inputs as { dependencies: Record<string, string> }).dependencies, {
    "0-first": (await listEntries(options.workDir))[0].record.outputSha256,
  });

  built.length = 0;
  await buildChain("1-second", options);
  assert.deepEqual(built, ["0-first:cached", "1-second:cached"]);

  await copySmokeStage(recipesRoot, { name: "0-first", inputs: ["1-second"] });
  await assert.rejects(buildChain("1-second", options), (e: unknown) => e instanceof ZilchError && /cycle: 1-second → 0-first → 1-second/.test(e.message));
  await fs.rm(scratch, { recursive: true, force: true });
});

test("a backend that cannot run a stage matters only when the stage must be built: a stored one is reused", async () => {
  const scratch = await tempDir("chain-backend");
  await copySmokeStage(path.join(scratch, "recipes"), { name: "0-stored", inputs: [] });
  const options = await chainIn(scratch, 1);
  const refuse = () => Promise.reject(new ZilchError({ code: "VM", message: "no backend for this stage", hint: "test" }));
  await assert.rejects(buildChain("0-stored", { ...options, backendFor: refuse }), /no backend for this stage/);
  assert.deepEqual(await listEntries(options.workDir), [], "nothing was built");
  const built = await buildChain("0-stored", options);
  const reused = await buildChain("0-stored", { ...options, backendFor: refuse });
  assert.equal(reused.dir, built.dir);
  await assert.rejects(buildChain("0-stored", { ...options, backendFor: refuse, forceTarget: true }), /no backend for this stage/, "a forced rebuild needs a backend");
  await fs.rm(scratch, { recursive: true, force: true });
});
