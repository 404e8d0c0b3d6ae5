// streamedTree lists what node-tar would unpack, in listTree's order, without writing files: checked
// against a real unpack of archives made by GNU tar (exec bits, symlinks, empty directories, names
// whose order differs between whole-path and per-level sorting, members without directory entries,
// "./" prefixes), and archives holding a hard link or a member twice are left to unpacking.
import assert from "node:assert/strict";
import { chmod, link, mkdir, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { execa } from "execa";
import { archiveTreeSha256, treeRoot, unpackArchive } from "../../src/sources/source-tree.js";
import { StreamedTreeUnsupported, streamedTree } from "../../src/sources/streamed-tree.js";
import { listTree } from "../../src/store/tree-hash.js";
import { tempDir } from "../fixtures/sources/helpers.js";

async function unpackedTree(archive: string, unpacksTo: string, into: string) {
  await mkdir(into, { recursive: true });
  await unpackArchive(archive, path.basename(archive), into);
  return listTree(await treeRoot(into, unpacksTo, path.basename(archive)));
}

async function sampleTree(root: string): Promise<void> {
  await mkdir(path.join(root, "a", "b"), { recursive: true });
  await mkdir(path.join(root, "empty"));
  await writeFile(path.join(root, "a", "b", "deep.c"), "int deep;\n");
  await writeFile(path.join(root, "a-b"), "sorts after a/ per level, before it as a whole path\n");
  await writeFile(path.join(root, "A"), "upper case first\n");
  await writeFile(path.join(root, "run.sh"), "#!/bin/sh\n");
  await chmod(path.join(root, "run.sh"), 0o755);
  await writeFile(path.join(root, "zero"), "");
  await symlink("run.sh", path.join(root, "link"));
  await symlink("../nowhere", path.join(root, "a", "dangling"));
}

test("a GNU tar archive is listed as its unpacked copy is, whatever the compression", async (t) => {
  const dir = await tempDir(t, "streamed");
  await sampleTree(path.join(dir, "src", "pkg-1.0"));
  for (const [name, flag] of [["pkg.tar.gz", "-z"], ["pkg.tar.xz", "-J"], ["pkg.tar", ""]] as const) {
    const archive = path.join(dir, name);
    await execa("tar", ["-c", ...(flag ? [flag] : []), "-f", archive, "-C", path.join(dir, "src"), "pkg-1.0"]);
    const streamed = await streamedTree(archive, name, "pkg-1.0");
    assert.deepEqual(streamed, await unpackedTree(archive, "pkg-1.0", path.join(dir, `x-${name}`)), name);
    assert.ok(streamed.some((e) => e.path === "empty" && e.kind === "dir"));
    assert.ok(streamed.find((e) => e.path === "run.sh")?.executable);
  }
});

test("members without directory entries and with ./ prefixes", async (t) => {
  const dir = await tempDir(t, "streamed-implied");
  const src = path.join(dir, "src");
  await sampleTree(src);
  const archive = path.join(dir, "flat.tar");
  // No directory members (--no-recursion over files only) and "./" on every path.
  await execa("tar", ["-cf", archive, "-C", src, "--no-recursion", "./a/b/deep.c", "./a-b", "./run.sh", "./link"]);
  const streamed = await streamedTree(archive, "flat.tar", ".");
  assert.deepEqual(streamed, await unpackedTree(archive, ".", path.join(dir, "x")));
  assert.deepEqual(streamed.map((e) => e.path), ["a", "a/b", "a/b/deep.c", "a-b", "link", "run.sh"]);
});

test("a member given twice is left to unpacking (node-tar keeps the first copy's mode)", async (t) => {
  const dir = await tempDir(t, "streamed-twice");
  const src = path.join(dir, "src");
  await sampleTree(src);
  const archive = path.join(dir, "twice.tar");
  await execa("tar", ["-cf", archive, "-C", src, "./run.sh"]);
  await chmod(path.join(src, "run.sh"), 0o644);
  await writeFile(path.join(src, "run.sh"), "replaced\n");
  await execa("tar", ["-rf", archive, "-C", src, "./run.sh"]);
  await assert.rejects(streamedTree(archive, "twice.tar", "."), StreamedTreeUnsupported);
  const unpacked = await unpackedTree(archive, ".", path.join(dir, "x"));
  assert.deepEqual(unpacked.map((e) => [e.path, e.executable, e.size]), [["run.sh", true, 9]]);
  assert.match(await archiveTreeSha256(archive, { unpacksTo: ".", scratchDir: path.join(dir, "scratch") }), /^[0-9a-f]{64}$/);
});

test("a hard link is left to unpacking, and the tree hash is the same either way", async (t) => {
  const dir = await tempDir(t, "streamed-link");
  const root = path.join(dir, "src", "pkg-1.0");
  await sampleTree(root);
  await link(path.join(root, "run.sh"), path.join(root, "again.sh"));
  const archive = path.join(dir, "linked.tar.gz");
  await execa("tar", ["-czf", archive, "-C", path.join(dir, "src"), "pkg-1.0"]);
  await assert.rejects(streamedTree(archive, "linked.tar.gz", "pkg-1.0"), StreamedTreeUnsupported);
  const hash = await archiveTreeSha256(archive, { unpacksTo: "pkg-1.0", scratchDir: path.join(dir, "scratch") });
  assert.match(hash, /^[0-9a-f]{64}$/);
  const plain = path.join(dir, "plain.tar.gz");
  await execa("tar", ["-czf", plain, "--hard-dereference", "-C", path.join(dir, "src"), "pkg-1.0"]);
  assert.equal(await archiveTreeSha256(plain, { unpacksTo: "pkg-1.0", scratchDir: path.join(dir, "scratch") }), hash);
});

test("an archive with anything beside its one directory is refused as unpacking refuses it", async (t) => {
  const dir = await tempDir(t, "streamed-two");
  await mkdir(path.join(dir, "src", "one"), { recursive: true });
  await writeFile(path.join(dir, "src", "one", "f"), "f\n");
  await writeFile(path.join(dir, "src", "stray"), "s\n");
  const archive = path.join(dir, "two.tar");
  await execa("tar", ["-cf", archive, "-C", path.join(dir, "src"), "one", "stray"]);
  await assert.rejects(streamedTree(archive, "two.tar", "one"), /two\.tar does not unpack to one directory one\/: it holds one, stray/);
  await assert.rejects(streamedTree(archive, "two.tar", "*"), /does not unpack to one directory: it holds one, stray/);
});
