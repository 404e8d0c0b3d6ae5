// `zilchboot build 0-smoke --share-fs foreign` on x86_64 runs in QEMU with foreign-mode shares
// (MetaTree root and /out, spill files on a simulated NTFS-like file system) and must give the
// locked output. QEMU reaches such trees only through our own 9p server, so the boot goes over
// virtio-serial although this QEMU has virtio-9p. The i386 side runs under v86
// (test/vm/v86-foreign.test.ts); x86_64 1-stage1 in foreign mode: test-slow/stage1-shares.test.ts.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { after, before, test } from "node:test";
import { execa } from "execa";
import type { StageReport } from "../../src/progress.js";
import { readLock } from "../../src/store/lock.js";
import { CLI, testHome, type TestHome } from "../helpers/home.js";
import { provisioned } from "../helpers/provisioned.js";

let home: TestHome;
before(async () => {
  home = await testHome("qemu-foreign");
});
after(() => home?.remove());

async function cli(...args: string[]) {
  const { kernel, seed } = await provisioned();
  return execa("node", [CLI, ...args, "--kernel", kernel.path, "--seed", seed, "--accel", "tcg"], { reject: false, env: home.env });
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
  const locked = (await readLock(home.lockFile)).stages["0-smoke"].output;
  const report = JSON.parse(await fs.readFile(path.join(home.home, "build.json"), "utf8")) as { stages: StageReport[] };
  const row = report.stages.find((r) => r.stage === "0-smoke");
  assert.equal(row?.action, "built");
  assert.equal(row?.outputSha256, locked);
  assert.match(row?.engine ?? "", /9p over virtio-serial \(unix socket\)/);
});
