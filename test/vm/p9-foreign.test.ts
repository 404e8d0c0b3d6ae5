// Outputs exact on any host file system: the same guest operations (exec bits, symlinks, names
// that differ only in case, names Windows reserves) through the 9p server give the same canonical
// manifest whether /out is a Linux directory or a MetaTree whose spill files sit on a simulated
// NTFS-like file system (foreign-fs.ts). The plain host-directory share on that file system loses
// them: that is why the MetaTree exists.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { after, test } from "node:test";
import { captureOutput } from "../../src/store/manifest.js";
import { ERRNO } from "../../src/vm/p9/errno.js";
import { ForeignFs } from "../../src/vm/p9/foreign-fs.js";
import { HostShare } from "../../src/vm/p9/host-share.js";
import { captureMetaTree, materialiseMetaTree } from "../../src/vm/p9/meta-output.js";
import { MetaTree } from "../../src/vm/p9/meta-tree.js";
import { P9 } from "../../src/vm/p9/wire.js";
import { O_CREAT, O_WRONLY, P9Client, SET_MODE, SET_SIZE } from "../helpers/p9-client.js";
import { tempDir } from "../helpers/provisioned.js";

const scratch = await tempDir("p9-foreign");
after(() => fs.rm(scratch, { recursive: true, force: true }));

/** Creates `dir/name` with `text` through the share (fid 50 is free for it). */
async function create(c: P9Client, dir: string[], name: string, text: string, mode = 0o644): Promise<void> {
  await c.walk(0, 50, dir);
  await c.lcreate(50, name, mode);
  if (text) await c.write(50, 0, text);
  await c.clunk(50);
}

/** What a stage might leave in /out, written the way the guest's kernel would write it. */
async function stageOutput(c: P9Client): Promise<void> {
  await c.attach();
  await c.mkdir(0, "include");
  await c.walk(0, 1, ["include"]);
  await c.mkdir(1, "netfilter", 0o700);
  await create(c, ["include", "netfilter"], "xt_CONNMARK.h", "#define XT_CONNMARK_UPPER\n");
  await create(c, ["include", "netfilter"], "xt_connmark.h", "#define xt_connmark_lower\n");
  await c.mkdir(0, "bin");
  await create(c, ["bin"], "tool", "#!/bin/sh\necho tool\n", 0o755);
  await c.walk(0, 2, ["bin"]);
  await c.symlink(2, "cc", "tool");
  await c.symlink(0, "dangling", "../nowhere/x");
  // Names Windows reserves or cannot hold are plain names to Linux.
  await create(c, [], "aux.c", "int aux;\n");
  await create(c, [], "con", "console\n", 0o600);
  await create(c, [], "a:b", "not a stream\n");
  await create(c, [], "trailing.", "dot\n");
  await create(c, [], "NUL.txt", "nul\n");
  await create(c, [], "setuid", "s\n", 0o4755);
  await create(c, [], "later-exec", "x\n");
  await c.walk(0, 3, ["later-exec"]);
  await c.setattr(3, SET_MODE, { mode: 0o711 });
  await create(c, [], "cut", "123456\n");
  await c.walk(0, 4, ["cut"]);
  await c.setattr(4, SET_SIZE, { size: 3 });
  await create(c, [], "gone", "temporary\n");
  await c.unlinkat(0, "gone");
  await create(c, [], "renamed-from", "moved\n", 0o755);
  await c.renameat(0, "renamed-from", 2, "Renamed");
  await c.walk(0, 5, ["bin", "tool"]);
  await c.link(0, 5, "tool-hardlink");
  // Overwrite in place at an offset.
  await c.walk(0, 6, ["aux.c"]);
  await c.call(P9.Tlopen, (w) => w.u32(6).u32(O_WRONLY));
  await c.write(6, 4, "AUX");
  for (const fid of [1, 2, 3, 4, 5, 6]) await c.clunk(fid);
}

async function linuxManifest() {
  const dir = path.join(scratch, "linux-out");
  await fs.mkdir(dir);
  const c = new P9Client(new HostShare(dir, false, { platform: "linux" }));
  await stageOutput(c);
  await c.share.close();
  return captureOutput(dir);
}

function foreignShare(name: string): { c: P9Client; tree: MetaTree; simulated: string } {
  const simulated = path.join(scratch, name);
  const tree = new MetaTree({ spillDir: path.join(simulated, "spill"), fs: new ForeignFs(simulated) });
  return { c: new P9Client(new HostShare(tree, false)), tree, simulated };
}

test("a MetaTree out share on a simulated NTFS gives the manifest a Linux directory gives", async () => {
  const expected = await linuxManifest();
  const { c, tree, simulated } = foreignShare("ntfs-meta");
  await fs.mkdir(simulated);
  await stageOutput(c);

  // The guest sees its own modes, symlinks and names back.
  await c.walk(0, 10, ["bin", "tool"]);
  assert.equal((await c.mode(10)) & 0o7777, 0o755);
  await c.walk(0, 11, ["bin", "cc"]);
  assert.equal(await c.readlink(11), "tool");
  assert.equal(await c.readFile(["include", "netfilter", "xt_CONNMARK.h"]), "#define XT_CONNMARK_UPPER\n");
  assert.equal(await c.readFile(["include", "netfilter", "xt_connmark.h"]), "#define xt_connmark_lower\n");
  assert.deepEqual((await c.list(["include", "netfilter"])).sort(), ["xt_CONNMARK.h", "xt_connmark.h"]);
  assert.equal(await c.readFile(["aux.c"]), "int AUX;\n");
  assert.equal(await c.readFile(["cut"]), "123");
  await c.share.close();

  const actual = await captureMetaTree(tree);
  assert.deepEqual(actual.manifest, expected.manifest);
  assert.equal(actual.sha256, expected.sha256);
  // The host holds only opaque spill files: no guest name, mode or symlink reached it.
  const spilled = await fs.readdir(path.join(simulated, "spill"));
  assert.ok(spilled.length > 0 && spilled.every((name) => /^s\d+$/.test(name)), spilled.join(" "));
  assert.deepEqual(await fs.readdir(simulated), ["spill"]);

  // Written out for the store, the tree captures to the same identity on Linux.
  const store = path.join(scratch, "materialised");
  await fs.mkdir(store);
  await materialiseMetaTree(tree, store);
  assert.equal((await captureOutput(store)).sha256, expected.sha256);
  assert.equal((await fs.stat(path.join(store, "bin", "tool"))).mode & 0o7777, 0o755);
  assert.equal(await fs.readlink(path.join(store, "bin", "cc")), "tool");
});

test("the plain host-directory share on the same simulated NTFS loses exec bits, symlinks and names", async () => {
  const simulated = path.join(scratch, "ntfs-host");
  await fs.mkdir(simulated);
  const c = new P9Client(new HostShare(simulated, false, { platform: "linux", fs: new ForeignFs(simulated) }));
  await c.attach();
  await create(c, [], "tool", "#!/bin/sh\n", 0o755);
  await c.walk(0, 1, ["tool"]);
  assert.equal((await c.mode(1)) & 0o777, 0o666, "the exec bit is gone");
  assert.equal(await c.errno(P9.Tsymlink, (w) => w.u32(0).str("cc").str("tool").u32(0)), ERRNO.EPERM, "no symlinks");
  await create(c, [], "xt_CONNMARK.h", "upper\n");
  assert.equal(await c.errno(P9.Tlcreate, (w) => w.u32(0).str("xt_connmark.h").u32(O_CREAT | O_WRONLY).u32(0o644).u32(0)), ERRNO.EEXIST, "case folds");
  await c.walk(0, 2, []);
  assert.equal(await c.errno(P9.Tlcreate, (w) => w.u32(2).str("aux.c").u32(O_CREAT | O_WRONLY).u32(0o644).u32(0)), ERRNO.EINVAL, "a reserved name");
  await c.share.close();
});

test("names that differ only in case stay apart through renames and removals", async () => {
  const { c, tree, simulated } = foreignShare("ntfs-case");
  await fs.mkdir(simulated);
  await c.attach();
  await create(c, [], "Makefile", "upper\n");
  await create(c, [], "makefile", "lower\n");
  await c.renameat(0, "makefile", 0, "MAKEFILE");
  await c.unlinkat(0, "Makefile");
  assert.deepEqual(await c.list([]), ["MAKEFILE"]);
  assert.equal(await c.readFile(["MAKEFILE"]), "lower\n");
  await c.share.close();
  assert.deepEqual((await captureMetaTree(tree)).manifest.map((e) => e.path), ["MAKEFILE"]);
});
