// The cas/ blob of an output: the same bytes for the same output on any machine, and an unpacker
// that admits only what a store entry may hold.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import * as tar from "tar";
import { packOutput, unpackOutput } from "../../src/cache/output-archive.js";
import { captureOutput } from "../../src/store/manifest.js";
import { tempHome } from "../helpers/store-entries.js";

async function tree(root: string, order: string[]): Promise<void> {
  const files: Record<string, string> = { "bin/tool": "#!tool\n", "lib/a.a": "a\n", "share/doc/x": "x\n" };
  for (const rel of order) {
    await fs.mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    await fs.writeFile(path.join(root, rel), files[rel]);
  }
  await fs.chmod(path.join(root, "bin/tool"), 0o755);
  await fs.symlink("../bin/tool", path.join(root, "lib/tool"));
}

test("the same output packs to the same bytes whatever the times and creation order; hard links become copies", async (t) => {
  const dir = await tempHome(t, "archive");
  await tree(path.join(dir, "one"), ["bin/tool", "lib/a.a", "share/doc/x"]);
  await tree(path.join(dir, "two"), ["share/doc/x", "lib/a.a", "bin/tool"]);
  await fs.utimes(path.join(dir, "two", "lib/a.a"), new Date(2001, 1, 1), new Date(2001, 1, 1));
  await fs.link(path.join(dir, "two", "lib/a.a"), path.join(dir, "two", "lib/b.a"));
  await fs.writeFile(path.join(dir, "one", "lib/b.a"), "a\n");
  const one = await packOutput(path.join(dir, "one"), path.join(dir, "one.tar"));
  const two = await packOutput(path.join(dir, "two"), path.join(dir, "two.tar"));
  assert.deepEqual(one, two);
  await unpackOutput(path.join(dir, "two.tar"), path.join(dir, "back"));
  assert.equal((await captureOutput(path.join(dir, "back"))).sha256, (await captureOutput(path.join(dir, "one"))).sha256);
  assert.equal((await fs.stat(path.join(dir, "back", "lib/b.a"))).nlink, 1);
  assert.equal(await fs.readlink(path.join(dir, "back", "lib/tool")), "../bin/tool");
  const empty = path.join(dir, "empty");
  await fs.mkdir(empty);
  await packOutput(empty, path.join(dir, "empty.tar"));
  await unpackOutput(path.join(dir, "empty.tar"), path.join(dir, "empty-back"));
  assert.deepEqual(await fs.readdir(path.join(dir, "empty-back")), []);
});

test("an archive holding a hard-link entry or a path outside the output is refused, not half-applied", async (t) => {
  const dir = await tempHome(t, "archive-bad");
  const src = path.join(dir, "src");
  await fs.mkdir(src);
  await fs.writeFile(path.join(src, "a"), "a\n");
  await fs.link(path.join(src, "a"), path.join(src, "b"));
  // node-tar's own packer, unlike ours, records the second name as a hard link.
  await tar.c({ file: path.join(dir, "links.tar"), cwd: src, portable: true }, ["a", "b"]);
  await assert.rejects(unpackOutput(path.join(dir, "links.tar"), path.join(dir, "out1")), /the archive holds what no store entry may: b \(Link\)/);
  await fs.mkdir(path.join(dir, "deep", "x"), { recursive: true });
  await fs.writeFile(path.join(dir, "deep", "evil"), "e\n");
  await tar.c({ file: path.join(dir, "escape.tar"), cwd: path.join(dir, "deep", "x"), preservePaths: true }, ["../evil"]);
  await assert.rejects(unpackOutput(path.join(dir, "escape.tar"), path.join(dir, "out2")), /\.\.\/evil \(outside the output\)/);
  await assert.rejects(fs.access(path.join(dir, "evil")));
});
