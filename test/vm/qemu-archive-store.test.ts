// A store kept as archives (ZILCHBOOT_STORE=archive) end to end in QEMU, through the CLI:
// `0-smoke` built with foreign-mode shares (its /out in our 9p server's memory, spill files on the
// simulated NTFS-like file system) is stored as out.tar alone, with the locked identity; a stage
// that reads it (a copy of 0-smoke declaring it as input) gets it served from inside the tar
// (auto shares: memory); `--runner native`, which needs directories, is one error line.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { after, before, test } from "node:test";
import { recipesDir } from "../../src/paths.js";
import type { StageReport } from "../../src/progress.js";
import { archiveIdentity } from "../../src/store/archive-entry.js";
import { readLock } from "../../src/store/lock.js";
import { listEntries } from "../../src/store/store.js";
import { zilchboot } from "../helpers/child-env.js";
import { testHome, type TestHome } from "../helpers/home.js";
import { provisioned } from "../helpers/provisioned.js";
import { copySmokeStage } from "../helpers/recipes.js";

let home: TestHome;
before(async () => {
  home = await testHome("qemu-archive-store");
  await copySmokeStage(home.recipes, { name: "0-smoke-reader", inputs: ["0-smoke"] });
});
after(() => home?.remove());

async function cli(...args: string[]) {
  const { kernel, seed } = await provisioned();
  return zilchboot([...args, "--kernel", kernel.path, "--seed", seed, "--accel", "tcg"], { ...home.env, ZILCHBOOT_STORE: "archive" });
}

async function report(file: string, stage: string): Promise<StageReport | undefined> {
  return (JSON.parse(await fs.readFile(file, "utf8")) as { stages: StageReport[] }).stages.find((r) => r.stage === stage);
}

test("0-smoke with foreign-mode shares in an archive store is stored as out.tar alone, with the locked identity", async () => {
  const json = path.join(home.home, "smoke.json");
  const result = await cli("build", "0-smoke", "--share-fs", "foreign", "--json", json);
  assert.equal(result.exitCode, 0, `${result.stdout}\n${result.stderr}`);
  const locked = (await readLock(path.join(recipesDir(), "lock.json"))).stages["0-smoke"].output;
  assert.equal((await report(json, "0-smoke"))?.outputSha256, locked);
  const [entry] = await listEntries(home.home);
  assert.deepEqual((await fs.readdir(entry.dir)).sort(), ["out.tar", "record.json"], "no out/ directory");
  assert.equal(entry.record.outputSha256, locked);
  assert.equal((await archiveIdentity(entry.archive!)).sha256, locked, "the identity read from the tar");
  const ls = await zilchboot(["ls"], home.env);
  assert.match(ls.stdout, /0-smoke .*out\.tar/);
});

test("a stage reading an archive entry gets it from inside the tar, and --runner native is refused in one line", async () => {
  const json = path.join(home.home, "reader.json");
  const result = await cli("build", "0-smoke-reader", "--json", json);
  assert.equal(result.exitCode, 0, `${result.stdout}\n${result.stderr}`);
  const row = await report(json, "0-smoke-reader");
  assert.equal(row?.action, "built");
  assert.match(result.stderr, /shares in memory mode/);
  const log = await fs.readFile(row!.log!, "utf8");
  assert.match(log, /share: \/store\/0-smoke\/hello\.txt/, "the guest saw the input's file");

  const smoke = (await listEntries(home.home)).find((e) => e.record.stage === "0-smoke")!;
  const native = await cli("build", "0-smoke-reader", "--force", "--runner", "native");
  assert.notEqual(native.exitCode, 0);
  const errors = native.stderr.split("\n").filter((line) => line.startsWith("zilchboot:"));
  assert.equal(errors.length, 1, native.stderr);
  assert.match(errors[0], new RegExp(`store entry ${path.basename(smoke.dir)} is kept as an archive \\(.*out\\.tar\\); --runner native needs it as a directory; rebuild it as one with ZILCHBOOT_STORE=tree zilchboot build 0-smoke --force, or build with a VM runner and --share-fs memory$`));
});
