// Stage 1 (the default target), checked from the outside and from a fresh VM. The entry comes from
// test/helpers/stage1.ts: the user's store (CI's main job builds it there in QEMU from a cold
// store), else one native build shared by the test files; this file gets its own temp home.
// Rebuilding it with another vCPU count (`verify`, minutes) is in test-slow/stage1-verify.test.ts.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { after, before, test } from "node:test";
import { execa } from "execa";
import { repoRoot } from "../../src/paths.js";
import { readLock } from "../../src/store/lock.js";
import { findLeaks } from "../../src/store/leaks.js";
import { listEntries } from "../../src/store/store.js";
import { zilchboot } from "../helpers/child-env.js";
import { provisioned } from "../helpers/provisioned.js";
import { STAGE1, testHomeWithStage1, type Stage1Home } from "../helpers/stage1.js";

let home: Stage1Home;

before(async () => {
  home = await testHomeWithStage1("stage1");
});

after(async () => {
  await home?.remove();
});

async function vmFlags(): Promise<string[]> {
  const { kernel, seed } = await provisioned();
  return ["--kernel", kernel.path, "--seed", seed];
}

test("stage 1 matches its lock, and asking for it again boots no VM", async () => {
  assert.equal(home.stage1.record.outputSha256, (await readLock(home.lockFile)).stages[STAGE1]?.output);
  const report = path.join(home.home, "report.json");
  const again = await zilchboot(["build", STAGE1, ...(await vmFlags()), "--json", report], home.env);
  assert.equal(again.exitCode, 0, again.stderr);
  const json = JSON.parse(await fs.readFile(report, "utf8")) as { stages: Array<{ stage: string; action: string; outputSha256: string }> };
  assert.deepEqual(json.stages.map((s) => [s.stage, s.action, s.outputSha256]), [[STAGE1, "cached", home.stage1.record.outputSha256]]);
  assert.deepEqual(await fs.readdir(path.join(home.home, "runs")).catch(() => []), [], "no run directory: nothing booted");
});

test("stage 1's output holds the tools later stages need", async () => {
  for (const file of ["tinycc/bin/tcc", "tinycc/bin/cc", "protomusl/lib/libc.a", "protomusl/lib/crt1.o", "protobusybox/bin/ash", "protobusybox/bin/tar", "init"]) {
    await fs.access(path.join(home.stage1.outDir, file));
  }
});

test("no stage-1 output file mentions the guest's build or source directories", async () => {
  assert.deepEqual(await findLeaks(home.stage1.outDir, ["/tmp/stage1", "/sources/"]), []);
});

test("stage 1's tcc, ash, tar and bzip2 work in a fresh VM", async () => {
  const stageDir = path.join(home.recipes, "2-check");
  await fs.cp(path.join(repoRoot, "test", "fixtures", "stage1-check"), stageDir, { recursive: true });
  // Test inputs only: archives made by the host's tar, to be unpacked by stage 1's tar.
  const payload = path.join(home.home, "payload");
  for (const [kind, flag] of [["bz2", "-j"], ["xz", "-J"]]) {
    await fs.mkdir(path.join(payload, kind), { recursive: true });
    await fs.writeFile(path.join(payload, kind, "file.txt"), `from-${kind}`);
    await execa("tar", ["-c", flag, "-f", path.join(stageDir, `fixture.tar.${kind}`), "-C", payload, kind]);
  }
  const build = await zilchboot(["build", "2-check", ...(await vmFlags())], home.env);
  assert.equal(build.exitCode, 0, build.stderr);
  const log = await fs.readFile(path.join(home.home, "logs", "2-check.log"), "utf8");
  assert.match(log, /^tcc says hello 42 1\.50$/m);
  assert.match(log, /^cc says hello 42 1\.50$/m);
  assert.match(log, /^pipes: HI ash$/m);
  assert.match(log, /^tar: from-bz2 from-xz$/m);
  assert.match(log, /^bzip2: round trip ok$/m);
  const [entry] = (await listEntries(home.home)).filter((e) => e.record.stage === "2-check");
  assert.ok(entry, "2-check is in the store");
  assert.equal(await fs.readFile(path.join(entry.outDir, "result"), "utf8"), "check: all ok\n");
});
