// The simulated foreign file system behaves as NTFS does under Node on Windows (as far as the
// shares care): case-insensitive and case-preserving names, no exec bits, no symlinks, no names
// Windows reserves. Simulated on a Linux directory; not compared with a real NTFS.
import assert from "node:assert/strict";
import { constants as C } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { after, test } from "node:test";
import { ForeignFs } from "../../src/vm/p9/foreign-fs.js";
import { tempDir } from "../helpers/provisioned.js";

const root = await tempDir("foreign-fs");
after(() => fs.rm(root, { recursive: true, force: true }));

test("names fold case but keep the case they were made with; a case-only rename renames", async () => {
  const ntfs = new ForeignFs(root);
  await ntfs.mkdir(path.join(root, "Include"));
  const file = await ntfs.open(path.join(root, "include", "XT_connmark.h"), C.O_CREAT | C.O_EXCL | C.O_WRONLY, 0o644);
  await file.close();
  await assert.rejects(ntfs.open(path.join(root, "INCLUDE", "xt_CONNMARK.h"), C.O_CREAT | C.O_EXCL | C.O_WRONLY, 0o644), { code: "EEXIST" });
  assert.deepEqual(await fs.readdir(path.join(root, "Include")), ["XT_connmark.h"]);
  await ntfs.rename(path.join(root, "include", "xt_connmark.h"), path.join(root, "include", "xt_CONNMARK.h"));
  assert.deepEqual(await ntfs.readdir(path.join(root, "include")), ["xt_CONNMARK.h"]);
});

test("no exec bits, no symlinks, no reserved names, nothing outside the root", async () => {
  const ntfs = new ForeignFs(root);
  const tool = path.join(root, "tool");
  const handle = await ntfs.open(tool, C.O_CREAT | C.O_WRONLY, 0o755);
  await handle.chmod(0o755);
  await handle.close();
  assert.equal(Number((await ntfs.lstat(tool)).mode) & 0o777, 0o666);
  await ntfs.chmod(tool, 0o555);
  assert.equal(Number((await ntfs.lstat(tool)).mode) & 0o777, 0o444, "read-only is all a mode keeps");
  await assert.rejects(ntfs.symlink("tool", path.join(root, "cc")), { code: "EPERM" });
  for (const name of ["aux.c", "con", "a:b", "x."]) await assert.rejects(ntfs.mkdir(path.join(root, name), 0o755), { code: "EINVAL" }, name);
  await assert.rejects(ntfs.lstat(path.join(root, "..", "elsewhere")), { code: "EACCES" });
});
