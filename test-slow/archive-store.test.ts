// Slow (stage 1 then 2a0 under TCG: ~10 min), so `npm run test:slow`: Windows' whole shape past the
// smoke stage. With store entries kept as archives (ZILCHBOOT_STORE=archive), shares in memory on
// a simulated NTFS (`--share-fs foreign`) and 9p over virtio-serial ports on TCP loopback, stage 1
// is built and stored as out.tar, then 2a0-make is built with stage 1's tools served from inside
// that tar. Both must equal the lock, and neither entry may hold a directory tree on the host.
// Quick checks of the same paths: test/vm/qemu-archive-store.test.ts (0-smoke) and
// test/stages/chain-archive-store.test.ts (fake VM).
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import { after, before, test } from "node:test";
import { execa } from "execa";
import { archiveIdentity } from "../src/store/archive-entry.js";
import { readLock } from "../src/store/lock.js";
import { listEntries } from "../src/store/store.js";
import { CLI, testHome, type TestHome } from "../test/helpers/home.js";
import { provisioned } from "../test/helpers/provisioned.js";

let home: TestHome;
before(async () => {
  home = await testHome("archive-store-2a0");
});
after(() => home?.remove());

test("2a0-make on stage 1, both built into an archive store in Windows' shape, equal the lock", async () => {
  const { kernel, seed } = await provisioned();
  const flags = ["--transport", "serial-tcp", "--share-fs", "foreign", "--kernel", kernel.path, "--seed", seed];
  const result = await execa("node", [CLI, "build", "2a0-make", ...flags], { reject: false, env: { ...home.env, ZILCHBOOT_STORE: "archive" } });
  assert.equal(result.exitCode, 0, `${result.stdout}\n${result.stderr}`);
  const lock = (await readLock(home.lockFile)).stages;
  const entries = await listEntries(home.home);
  assert.deepEqual(entries.map((e) => e.record.stage).sort(), ["1-stage1", "2a0-make"]);
  for (const entry of entries) {
    assert.equal(entry.record.outputSha256, lock[entry.record.stage].output, `${entry.record.stage} equals the lock`);
    assert.deepEqual((await fs.readdir(entry.dir)).sort(), ["out.tar", "record.json"], `${entry.record.stage}: no out/ directory`);
    assert.equal((await archiveIdentity(entry.archive!)).sha256, entry.record.outputSha256, "the identity read from the tar");
  }
});
