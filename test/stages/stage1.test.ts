// Stage 1 for real: built in QEMU (or reused from the checkout's store, where the README's main job
// puts it), then checked from the outside and from a fresh VM.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { before, test } from "node:test";
import { execa } from "execa";
import { cacheDir, recipesDir, workDir } from "../../src/paths.js";
import { createHostSession } from "../../src/host-session.js";
import { guestDir } from "../../src/provision.js";
import { buildTarget } from "../../src/stages/chain.js";
import type { Session } from "../../src/stages/session.js";
import { loadStage } from "../../src/stages/recipe.js";
import { buildStage, type BuildStageOptions } from "../../src/stages/run.js";
import { findLeaks } from "../../src/store/leaks.js";
import type { StoreEntry } from "../../src/store/store.js";
import { QemuBackend } from "../../src/vm/qemu.js";
import { provisioned, tempDir } from "../helpers/provisioned.js";
import { repoRoot } from "../../src/paths.js";

let options: Omit<BuildStageOptions, "stage" | "sources" | "dependencies"> & { lockFile: string };
let session: Session;
let stage1: StoreEntry;

before(async () => {
  const { kernel, seed } = await provisioned();
  session = createHostSession({ seedFile: seed, kernelFile: kernel.path, home: workDir(), recipesRoot: recipesDir(), vm: { cpus: os.availableParallelism() } });
  options = {
    workDir: workDir(),
    guestDir: guestDir(),
    seed,
    kernel: { path: kernel.path, identity: kernel.identity },
    backend: new QemuBackend({ probeKernel: kernel.path, cacheDir: cacheDir() }),
    cpus: os.availableParallelism(),
    lockFile: path.join(recipesDir(), "lock.json"),
  };
  stage1 = await buildTarget(session, "1-stage1");
});

test("stage 1 matches its lock, and asking again boots no VM", async () => {
  const lock = JSON.parse(await fs.readFile(path.join(recipesDir(), "lock.json"), "utf8")) as { stages: Record<string, { output: string }> };
  assert.equal(stage1.record.outputSha256, lock.stages["1-stage1"]?.output);
  const seen: string[] = [];
  await buildTarget(session, "1-stage1", { onStageDone: (name, report) => seen.push(`${name}:${report.cached ? "cached" : "built"}`) });
  assert.deepEqual(seen, ["1-stage1:cached"]);
});

test("stage 1's output holds the tools later stages need", async () => {
  for (const file of ["tinycc/bin/tcc", "tinycc/bin/cc", "protomusl/lib/libc.a", "protomusl/lib/crt1.o", "protobusybox/bin/ash", "protobusybox/bin/tar", "init"]) {
    await fs.access(path.join(stage1.outDir, file));
  }
});

test("no stage-1 output file mentions the guest's build or source directories", async () => {
  assert.deepEqual(await findLeaks(stage1.outDir, ["/tmp/stage1", "/sources/"]), []);
});

test("stage 1's tcc, ash, tar and bzip2 work in a fresh VM", async () => {
  const scratch = await tempDir("stage1-check");
  const recipes = path.join(scratch, "recipes");
  await fs.cp(path.join(repoRoot, "test", "fixtures", "stage1-check"), path.join(recipes, "2-check"), { recursive: true });
  // Test inputs only: archives made by the host's tar, to be unpacked by stage 1's tar.
  for (const [kind, flag] of [["bz2", "-j"], ["xz", "-J"]]) {
    await fs.mkdir(path.join(scratch, "payload", kind), { recursive: true });
    await fs.writeFile(path.join(scratch, "payload", kind, "file.txt"), `from-${kind}`);
    await execa("tar", ["-c", flag, "-f", path.join(recipes, "2-check", `fixture.tar.${kind}`), "-C", path.join(scratch, "payload"), kind]);
  }
  const stage = await loadStage(recipes, "2-check");
  const result = await buildStage({ ...options, stage, sources: {}, dependencies: { "1-stage1": stage1 }, workDir: path.join(scratch, "work"), lockFile: undefined });
  const log = await fs.readFile(result.logFile!, "utf8");
  assert.match(log, /^tcc says hello 42 1\.50$/m);
  assert.match(log, /^cc says hello 42 1\.50$/m);
  assert.match(log, /^pipes: HI ash$/m);
  assert.match(log, /^tar: from-bz2 from-xz$/m);
  assert.match(log, /^bzip2: round trip ok$/m);
  assert.equal(await fs.readFile(path.join(result.entry.outDir, "result"), "utf8"), "check: all ok\n");
  await fs.rm(scratch, { recursive: true, force: true });
});

test("zilchboot verify 1-stage1 with another vCPU count reproduces the locked output", async () => {
  const { kernel, seed } = await provisioned();
  const cpus = session.vm.cpus === 1 ? 2 : 1;
  const result = await execa("node", [path.join(repoRoot, "dist", "src", "cli.js"), "verify", "1-stage1", "--cpus", String(cpus), "--kernel", kernel.path, "--seed", seed], { reject: false });
  assert.equal(result.exitCode, 0, result.stderr);
  assert.equal(result.stdout.trim(), `1-stage1: reproduced ${stage1.record.outputSha256} (matches recipes/lock.json)`);
});
