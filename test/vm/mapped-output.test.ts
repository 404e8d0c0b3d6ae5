// realiseMappedOutput on a tree laid out as QEMU's mapped-file model leaves it (0600 files, 0700
// dirs, `.virtfs_metadata` text files), without a VM. test/vm/qemu-out-share.test.ts checks the
// same against a real QEMU.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { ZilchError } from "../../src/errors.js";
import { mappedMode, realiseMappedOutput } from "../../src/vm/p9/mapped-output.js";
import { tempDir } from "../helpers/provisioned.js";

/** One entry as QEMU stores it: the host file or dir, plus its metadata file. */
async function mapped(out: string, rel: string, mode: number, content = ""): Promise<void> {
  const file = path.join(out, rel);
  if ((mode & 0o170000) === 0o040000) await fs.mkdir(file, { mode: 0o700 });
  else await fs.writeFile(file, content, { mode: 0o600 });
  const metadataDir = path.join(path.dirname(file), ".virtfs_metadata");
  await fs.mkdir(metadataDir, { recursive: true, mode: 0o700 });
  await fs.writeFile(path.join(metadataDir, path.basename(file)), `virtfs.uid=0\nvirtfs.gid=0\nvirtfs.mode=${mode}\nvirtfs.rdev=0\n`, { mode: 0o600 });
}

test("the mode is read from a metadata file's text", () => {
  assert.equal(mappedMode("virtfs.uid=0\nvirtfs.gid=0\nvirtfs.mode=33261\n"), 0o100755);
  assert.equal(mappedMode("virtfs.uid=0\n"), null);
});

test("symlinks become real, exec bits decide 0755 or 0644, dirs are 0755 and the metadata goes", async () => {
  const out = await tempDir("mapped");
  await mapped(out, "tool", 0o104755, "#!/bin/sh\n"); // setuid in the guest
  await mapped(out, "data", 0o100600, "x");
  await mapped(out, "link", 0o120777, "sub/deep");
  await mapped(out, "sub", 0o042755);
  await mapped(out, "sub/deep", 0o100700, "y");
  await mapped(out, "sub/up", 0o120777, "../tool");
  await fs.link(path.join(out, "tool"), path.join(out, "sub", "hard"));
  await fs.link(path.join(out, ".virtfs_metadata", "tool"), path.join(out, "sub", ".virtfs_metadata", "hard"));
  await fs.writeFile(path.join(out, ".virtfs_metadata_root"), "virtfs.mode=16877\n");
  await fs.writeFile(path.join(out, "host-made"), "", { mode: 0o700 }); // no metadata: its host mode counts

  await realiseMappedOutput(out);

  const mode = async (rel: string) => (await fs.lstat(path.join(out, rel))).mode & 0o7777;
  assert.equal(await mode("tool"), 0o755);
  assert.equal(await mode("data"), 0o644);
  assert.equal(await mode("sub"), 0o755);
  assert.equal(await mode("sub/deep"), 0o755);
  assert.equal(await mode("host-made"), 0o755);
  assert.equal(await fs.readlink(path.join(out, "link")), "sub/deep");
  assert.equal(await fs.readlink(path.join(out, "sub", "up")), "../tool");
  assert.equal(await fs.readFile(path.join(out, "link"), "utf8"), "y", "the link resolves inside the tree");
  assert.equal((await fs.lstat(path.join(out, "sub", "hard"))).ino, (await fs.lstat(path.join(out, "tool"))).ino, "a hard link stays one file");
  assert.deepEqual((await fs.readdir(out)).sort(), ["data", "host-made", "link", "sub", "tool"]);
  assert.deepEqual((await fs.readdir(path.join(out, "sub"))).sort(), ["deep", "hard", "up"]);
  await fs.rm(out, { recursive: true, force: true });
});

test("a FIFO or device the guest made fails with one line naming it, after the rest is realised", async () => {
  const out = await tempDir("mapped-special");
  await mapped(out, "sub", 0o040755);
  await mapped(out, "sub/pipe", 0o010644);
  await mapped(out, "sda", 0o060660);
  await mapped(out, "run", 0o100755, "x");
  await assert.rejects(realiseMappedOutput(out), (err: unknown) => {
    assert.ok(err instanceof ZilchError);
    assert.equal(err.message, "the guest made a block device at /out/sda (and 1 more special files), which an output cannot hold");
    assert.ok(!err.line.includes("\n"));
    return true;
  });
  assert.equal((await fs.lstat(path.join(out, "run"))).mode & 0o777, 0o755);
  for (const rel of ["sda", "sub/pipe"]) assert.ok((await fs.lstat(path.join(out, rel))).isFile(), `${rel} stays a plain file on the host`);
  await assert.rejects(fs.lstat(path.join(out, ".virtfs_metadata")), { code: "ENOENT" });
  await fs.rm(out, { recursive: true, force: true });
});
