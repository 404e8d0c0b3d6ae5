// `zilchboot build 0-smoke --share-fs foreign` on x86_64 runs in QEMU with foreign-mode shares
// (MetaTree root and /out, spill files on a simulated NTFS-like file system) and must give the
// locked output. QEMU reaches such trees only through our own 9p server, so the boot goes over
// virtio-serial although this QEMU has virtio-9p. The i386 guest does the same under
// qemu-system-i386 (its pre-init runs on the i386 seed) and under v86
// (test/vm/v86-foreign.test.ts); x86_64 1-stage1 in foreign mode: test-slow/stage1-shares.test.ts.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import os from "node:os";
import { after, before, test } from "node:test";
import { createHostSession } from "../../src/host-session.js";
import { provideKernel, provideSeed, type ProvisionOptions } from "../../src/provision.js";
import { buildTarget } from "../../src/stages/chain.js";
import type { StageReport } from "../../src/progress.js";
import { zilchboot } from "../helpers/child-env.js";
import { copyRecipes, tempDir, testHome, type TestHome } from "../helpers/home.js";
import { provisioned } from "../helpers/provisioned.js";
import { assertRepoLocked, repoLockedOutput } from "../helpers/repo-lock.js";

let home: TestHome;
before(async () => {
  home = await testHome("qemu-foreign");
});
after(() => home?.remove());

async function cli(...args: string[]) {
  const { kernel, seed } = await provisioned();
  return zilchboot([...args, "--kernel", kernel.path, "--seed", seed, "--accel", "tcg"], home.env);
}

test("QEMU refuses foreign-mode shares over --transport virtio-9p, naming the fix, and stores nothing", async () => {
  const result = await cli("build", "0-smoke", "--share-fs", "foreign", "--transport", "virtio-9p");
  assert.notEqual(result.exitCode, 0);
  assert.match(result.stderr, /own 9p server.*not --transport virtio-9p/);
  assert.match(result.stderr, /--transport auto/);
  const stored = (await fs.readdir(path.join(home.home, "store")).catch(() => [])).filter((name) => !name.startsWith("."));
  assert.deepEqual(stored, [], "no store entry");
});

test("0-smoke in QEMU with foreign-mode shares gives the locked output, over virtio-serial", async () => {
  const result = await cli("build", "0-smoke", "--share-fs", "foreign", "--json", path.join(home.home, "build.json"));
  assert.equal(result.exitCode, 0, `${result.stdout}\n${result.stderr}`);
  const locked = await repoLockedOutput("0-smoke");
  const report = JSON.parse(await fs.readFile(path.join(home.home, "build.json"), "utf8")) as { stages: StageReport[] };
  const row = report.stages.find((r) => r.stage === "0-smoke");
  assert.equal(row?.action, "built");
  assert.equal(row?.outputSha256, locked);
  assert.match(row?.engine ?? "", /9p over virtio-serial \(unix socket\)/);
});

test("0-smoke-i386 in qemu-system-i386 with foreign-mode shares gives the locked output, over virtio-serial", async () => {
  // The i386 kernel and seed as the CLI would provide them (built here, or the kit lock's bytes).
  const options: ProvisionOptions = { mirrors: [], progress: false, log: () => {}, verbose: false, jobs: os.availableParallelism() };
  await provideKernel(undefined, options, "i386");
  await provideSeed(undefined, options, "i386");
  const scratch = await tempDir("qemu-foreign-i386");
  try {
    const recipes = await copyRecipes(path.join(scratch, "recipes"));
    const logged: string[] = [];
    const session = createHostSession({ home: path.join(scratch, "home"), recipesRoot: recipes, backend: "qemu", accel: "tcg", shareFs: "foreign", vm: { cpus: 1 }, log: (line) => logged.push(line) });
    const entry = await buildTarget(session, "0-smoke-i386");
    await assertRepoLocked("0-smoke-i386", entry.record.outputSha256);
    assert.match(entry.record.engine, /^qemu .*9p over virtio-serial \(unix socket\)/);
    assert.ok(logged.some((line) => /shares in foreign mode/.test(line)), logged.join("\n"));
    assert.equal(await fs.readFile(path.join(entry.outDir, "hello.txt"), "utf8"), "hello from the seed tcc\n");
  } finally {
    await fs.rm(scratch, { recursive: true, force: true });
  }
});
