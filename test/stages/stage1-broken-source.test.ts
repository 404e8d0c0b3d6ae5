// A corrupted source (with a matching, fixed-up pin) gets through every hash check and must then
// fail inside the VM with a message that says where to look.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import * as tar from "tar";
import { cacheDir, repoRoot } from "../../src/paths.js";
import { sha256File } from "../../src/sha256.js";
import { unpackTarball } from "../../src/sources/unpack.js";
import { zilchboot } from "../helpers/child-env.js";
import { provisioned, tempDir } from "../helpers/provisioned.js";

test("a corrupted tinycc source fails stage 1 in the guest, naming the stage log", async () => {
  const { kernel, seed } = await provisioned();
  const scratch = await tempDir("broken-source");
  const tree = path.join(scratch, "tinycc");
  await fs.mkdir(tree);
  await unpackTarball(path.join(cacheDir(), "sources", "tinycc-62c30a4a.tar.bz2"), tree);
  await fs.appendFile(path.join(tree, "lib", "libtcc1.c"), "\n#error corrupted source for the test\n");
  const mirror = path.join(scratch, "mirror");
  await fs.mkdir(mirror);
  const tarball = path.join(mirror, "tinycc-corrupted.tar.gz");
  await tar.c({ gzip: true, cwd: tree, file: tarball, portable: true }, await fs.readdir(tree));

  const recipes = path.join(scratch, "recipes");
  await fs.cp(path.join(repoRoot, "recipes", "1-stage1"), path.join(recipes, "1-stage1"), { recursive: true });
  const pins = JSON.parse(await fs.readFile(path.join(repoRoot, "recipes", "sources.json"), "utf8")) as { sources: Array<Record<string, unknown>> };
  const tinycc = pins.sources.find((pin) => pin.name === "tinycc")!;
  Object.assign(tinycc, { file: "tinycc-corrupted.tar.gz", sha256: await sha256File(tarball), size: (await fs.stat(tarball)).size, urls: [] });
  delete tinycc.debianSource;
  await fs.writeFile(path.join(recipes, "sources.json"), JSON.stringify(pins));

  const home = path.join(scratch, "home");
  const result = await zilchboot(["build", "1-stage1", "--mirror", mirror, "--kernel", kernel.path, "--seed", seed], { ZILCHBOOT_HOME: home, ZILCHBOOT_RECIPES: recipes });
  assert.equal(result.exitCode, 1, result.stderr);
  // The message names this run's own log; logs/1-stage1.log points at the latest run's.
  const named = /zilchboot: stage 1-stage1 failed: guest exited \d+ after \d+s .*; log: (\S+\.log);/.exec(result.stderr);
  assert.ok(named, result.stderr);
  assert.equal(path.dirname(named[1]), path.join(home, "logs"));
  assert.match(await fs.readFile(named[1], "utf8"), /corrupted source for the test/);
  assert.equal(await fs.realpath(path.join(home, "logs", "1-stage1.log")), await fs.realpath(named[1]));
  const stored = (await fs.readdir(path.join(home, "store")).catch(() => [] as string[])).filter((name) => !name.startsWith("."));
  assert.deepEqual(stored, [], "nothing stored");
  await fs.rm(scratch, { recursive: true, force: true });
});
