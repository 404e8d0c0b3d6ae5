// Slow (stage 1 then 2a0 under TCG: ~10 min), so `npm run test:slow`: Windows' whole shape past the
// smoke stage. With store entries kept as archives (ZILCHBOOT_STORE=archive), shares in memory on
// a simulated NTFS (`--share-fs foreign`) and 9p over virtio-serial ports on TCP loopback, stage 1
// is built and stored as out.tar, then 2a0-make is built with stage 1's tools served from inside
// that tar. Both must be built here (not pulled from a cache), equal recipes/lock.json, and
// neither entry may hold a directory tree on the host.
// Quick checks of the same paths: test/vm/qemu-archive-store.test.ts (0-smoke) and
// test/stages/chain-archive-store.test.ts (fake VM).
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import { after, before, test } from "node:test";
import path from "node:path";
import type { StageReport } from "../src/progress.js";
import { archiveIdentity } from "../src/store/archive-entry.js";
import { listEntries } from "../src/store/store.js";
import { zilchboot } from "../test/helpers/child-env.js";
import { testHome, type TestHome } from "../test/helpers/home.js";
import { provisioned } from "../test/helpers/provisioned.js";
import { repoLockedOutput } from "../test/helpers/repo-lock.js";

let home: TestHome;
before(async () => {
  home = await testHome("archive-store-2a0");
});
after(() => home?.remove());

test("2a0-make on stage 1, both built into an archive store in Windows' shape, equal the lock", async () => {
  const { kernel, seed } = await provisioned();
  const locked = { "1-stage1": await repoLockedOutput("1-stage1"), "2a0-make": await repoLockedOutput("2a0-make") };
  const report = path.join(home.home, "report.json");
  const flags = ["--transport", "serial-tcp", "--share-fs", "foreign", "--kernel", kernel.path, "--seed", seed, "--json", report];
  const result = await zilchboot(["build", "2a0-make", ...flags], { ...home.env, ZILCHBOOT_STORE: "archive" });
  assert.equal(result.exitCode, 0, `${result.stdout}\n${result.stderr}`);
  // Built, not pulled: the point is that this host's archive store produced both.
  const rows = (JSON.parse(await fs.readFile(report, "utf8")) as { stages: StageReport[] }).stages;
  for (const stage of Object.keys(locked)) assert.equal(rows.find((r) => r.stage === stage)?.action, "built", `${stage} was built: ${JSON.stringify(rows)}`);
  const entries = await listEntries(home.home);
  assert.deepEqual(entries.map((e) => e.record.stage).sort(), ["1-stage1", "2a0-make"]);
  for (const entry of entries) {
    assert.equal(entry.record.pulled, undefined, `${entry.record.stage} was not pulled`);
    assert.equal(entry.record.outputSha256, locked[entry.record.stage as keyof typeof locked], `${entry.record.stage} equals recipes/lock.json`);
    assert.deepEqual((await fs.readdir(entry.dir)).sort(), ["out.tar", "record.json"], `${entry.record.stage}: no out/ directory`);
    assert.equal((await archiveIdentity(entry.archive!)).sha256, entry.record.outputSha256, "the identity read from the tar");
  }
});
