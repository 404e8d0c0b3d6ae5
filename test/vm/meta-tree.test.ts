// MetaTree keeps Linux's file semantics in memory: rename over files and empty directories, hard
// links that share one file, removal of the last name, no walking through a symlink, and
// read-only files served from the host.
import assert from "node:assert/strict";
import { constants as C } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { after, test } from "node:test";
import { ERRNO, P9Error } from "../../src/vm/p9/errno.js";
import { MetaTree } from "../../src/vm/p9/meta-tree.js";
import { L_RDWR, L_WRONLY } from "../../src/vm/p9/share-tree.js";
import { tempDir } from "../helpers/provisioned.js";

const scratch = await tempDir("meta-tree");
after(() => fs.rm(scratch, { recursive: true, force: true }));

function errno(code: number) {
  return (error: unknown) => error instanceof P9Error && error.errno === code;
}

async function write(tree: MetaTree, names: string[], text: string, mode = 0o644): Promise<void> {
  const file = await tree.create(names, L_WRONLY, mode);
  const bytes = new TextEncoder().encode(text);
  await file.write(bytes, 0, bytes.byteLength, 0);
  await file.close();
}

async function read(tree: MetaTree, names: string[]): Promise<string> {
  const file = await tree.open(names, 0);
  const buffer = new Uint8Array(4096);
  const { bytesRead } = await file.read(buffer, 0, buffer.byteLength, 0);
  await file.close();
  return new TextDecoder().decode(buffer.subarray(0, bytesRead));
}

test("rename replaces a file or an empty directory, and refuses what rename(2) refuses", async () => {
  const tree = new MetaTree({ spillDir: path.join(scratch, "rename") });
  await write(tree, ["a"], "A");
  await write(tree, ["b"], "B");
  await tree.rename(["a"], ["b"]);
  assert.deepEqual(await tree.readdir([]), ["b"]);
  assert.equal(await read(tree, ["b"]), "A");
  await tree.mkdir(["d"], 0o755);
  await tree.mkdir(["e"], 0o755);
  await write(tree, ["e", "x"], "x");
  await assert.rejects(tree.rename(["d"], ["e"]), errno(ERRNO.ENOTEMPTY));
  await assert.rejects(tree.rename(["b"], ["d"]), errno(ERRNO.EISDIR));
  await assert.rejects(tree.rename(["d"], ["b"]), errno(ERRNO.ENOTDIR));
  await assert.rejects(tree.rename(["e"], ["e", "inside"]), errno(ERRNO.EINVAL));
  await tree.remove(["e", "x"], false);
  await tree.rename(["d"], ["e"]);
  assert.deepEqual((await tree.readdir([])).sort(), ["b", "e"]);
  await assert.rejects(tree.remove(["e"], false), errno(ERRNO.EISDIR));
  await assert.rejects(tree.remove(["b"], true), errno(ERRNO.ENOTDIR));
});

test("a hard link is one file under two names; its bytes go with the last name", async () => {
  const spillDir = path.join(scratch, "links");
  const tree = new MetaTree({ spillDir });
  await write(tree, ["one"], "shared", 0o755);
  await tree.link(["one"], ["two"]);
  assert.equal((await tree.lstat(["one"])).nlink, 2n);
  assert.equal((await tree.lstat(["one"])).ino, (await tree.lstat(["two"])).ino);
  const file = await tree.open(["two"], L_RDWR);
  await file.write(new TextEncoder().encode("SH"), 0, 2, 0);
  await file.close();
  assert.equal(await read(tree, ["one"]), "SHared");
  await tree.remove(["one"], false);
  assert.equal(await read(tree, ["two"]), "SHared");
  assert.equal((await fs.readdir(spillDir)).length, 1);
  await tree.remove(["two"], false);
  assert.deepEqual(await fs.readdir(spillDir), [], "the last name took the spill file");
});

test("a symlink on the way is ELOOP, never followed; opening one is ELOOP too", async () => {
  const tree = new MetaTree({ spillDir: path.join(scratch, "loop") });
  await tree.mkdir(["real"], 0o755);
  await write(tree, ["real", "f"], "f");
  await tree.symlink(["via"], "real");
  await assert.rejects(tree.lstat(["via", "f"]), errno(ERRNO.ELOOP));
  await assert.rejects(tree.open(["via"], 0), errno(ERRNO.ELOOP));
  assert.equal(await tree.readlink(["via"]), "real");
  await assert.rejects(tree.readlink(["real"]), errno(ERRNO.EINVAL));
  await assert.rejects(tree.lstat(["real", "f", "below"]), errno(ERRNO.ENOTDIR));
});

test("files the builder adds are served read-only from their host files", async () => {
  const source = path.join(scratch, "source.txt");
  await fs.writeFile(source, "from the store\n");
  const tree = new MetaTree();
  tree.addFile(["store", "1-stage1", "bin", "tcc"], { file: source, mode: 0o755, size: 15n });
  tree.addSymlink(["store", "1-stage1", "bin", "cc"], "tcc");
  const st = await tree.lstat(["store", "1-stage1", "bin", "tcc"]);
  assert.equal(st.mode, C.S_IFREG | 0o755);
  assert.equal(st.size, 15n);
  assert.equal(await read(tree, ["store", "1-stage1", "bin", "tcc"]), "from the store\n");
  await assert.rejects(tree.open(["store", "1-stage1", "bin", "tcc"], L_WRONLY), errno(ERRNO.EROFS));
  await assert.rejects(tree.create(["new"], L_WRONLY, 0o644), errno(ERRNO.EROFS), "no spill directory: nothing new");
  assert.throws(() => tree.addSymlink(["store", "1-stage1", "bin", "cc"], "x"), errno(ERRNO.EEXIST));
  assert.equal(await fs.readFile(source, "utf8"), "from the store\n");
});
