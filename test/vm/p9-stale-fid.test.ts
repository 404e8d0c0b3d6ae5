// Attack class: a fid that outlives a rename (review §3.1 (a), (c)). A guest holds a fid in `d`
// (a cwd does), renames `d` to `d2`, makes `d` a symlink out of the share, then creates through
// the old fid. Before the fix the file landed in the store, setuid.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { describe, test } from "node:test";
import { ERRNO } from "../../src/vm/p9/errno.js";
import { P9 } from "../../src/vm/p9/wire.js";
import { attackHome, SYMLINK_HOSTS } from "../helpers/p9-client.js";

for (const host of SYMLINK_HOSTS) describe(host.label, () => {
  test("a fid walked into a renamed directory follows it, so a symlink made at the old name is never used", async () => {
    const t = await attackHome(host.options);
    const { client: c } = t;
    const before = await t.outside();
    await c.mkdir(0, "d");
    await c.walk(0, 1, ["d"]);
    await c.mkdir(1, "sub");
    await c.walk(0, 4, ["d", "sub"]);
    await c.renameat(0, "d", 0, "d2");
    await c.symlink(0, "d", t.storeFromOut);

    // The exploit: create through the stale fid.
    await c.walk(1, 2, []);
    await c.lcreate(2, "planted", 0o4755);

    assert.deepEqual(await t.outside(), before, "nothing outside the share changed");
    await assert.rejects(fs.lstat(path.join(t.home, "store", "e", "planted")), { code: "ENOENT" });
    assert.equal((await fs.lstat(path.join(t.out, "d2", "planted"))).mode & 0o7777, 0o755, "created in the renamed directory, without setuid");
    await c.lcreate(4, "deeper", 0o644);
    assert.ok((await fs.lstat(path.join(t.out, "d2", "sub", "deeper"))).isFile(), "a fid below the renamed directory follows it too");
    assert.equal((await fs.readlink(path.join(t.out, "d"))), t.storeFromOut);
    await t.dispose();
  });

  test("getattr on a fid whose directory was renamed still answers (no stale ENOENT)", async () => {
    const t = await attackHome(host.options);
    const { client: c } = t;
    await c.mkdir(0, "d", 0o750);
    await c.walk(0, 1, ["d"]);
    await c.renameat(0, "d", 0, "d2");
    assert.equal((await c.mode(1)) & 0o777, 0o750);
    // Trename moves the renamed fid and the fids below it as well.
    await c.walk(1, 2, []);
    await c.call(P9.Trename, (w) => w.u32(2).u32(0).str("d3"));
    assert.equal((await c.mode(1)) & 0o777, 0o750);
    assert.deepEqual((await fs.readdir(t.out)).sort(), ["d3"]);
    await t.dispose();
  });

  test("a fid whose directory was replaced by a symlink (rmdir, then symlink) is refused, not followed", async () => {
    const t = await attackHome(host.options);
    const { client: c } = t;
    const before = await t.outside();
    await c.mkdir(0, "d");
    await c.walk(0, 1, ["d"]);
    await c.call(P9.Tunlinkat, (w) => w.u32(0).str("d").u32(0x200));
    await c.symlink(0, "d", t.storeFromOut);

    assert.equal(await c.errno(P9.Tlcreate, (w) => w.u32(1).str("planted").u32(0o101).u32(0o644).u32(0)), ERRNO.ELOOP);
    assert.equal(await c.errno(P9.Tmkdir, (w) => w.u32(1).str("planted").u32(0o755).u32(0)), ERRNO.ELOOP);
    assert.equal(await c.errno(P9.Tunlinkat, (w) => w.u32(1).str("record.json").u32(0)), ERRNO.ELOOP);
    assert.equal(await c.errno(P9.Trenameat, (w) => w.u32(1).str("record.json").u32(0).str("stolen")), ERRNO.ELOOP);
    assert.deepEqual(await t.outside(), before, "nothing outside the share changed");
    await t.dispose();
  });
});
