// Attack class: leaving the share by walking: ".." past the root, and a symlink in the middle of
// a path (the guest made `s -> ../../../../store/e` and names `s/record.json`). Before the fix a
// fid on the symlink let Tlcreate, Tunlinkat and Trenameat act inside the store.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import { describe, test } from "node:test";
import { ERRNO } from "../../src/vm/p9/errno.js";
import { P9 } from "../../src/vm/p9/wire.js";
import { attackHome, O_DIRECTORY, RECORD_TEXT, SYMLINK_HOSTS } from "../helpers/p9-client.js";

for (const host of SYMLINK_HOSTS) describe(host.label, () => {
  test('".." stops at the share\'s root: files created there stay inside', async () => {
    const t = await attackHome(host.options);
    const { client: c } = t;
    const before = await t.outside();
    const r = await c.walk(0, 1, ["..", "..", "..", ".."]);
    assert.equal(r.u16(), 4);
    await c.lcreate(1, "at-root", 0o644);
    assert.deepEqual(await fs.readdir(t.out), ["at-root"]);
    assert.deepEqual(await t.outside(), before, "nothing outside the share changed");
    await t.dispose();
  });

  test("a symlink in the middle of a path is never followed: walks stop, and a fid on it is no directory", async () => {
    const t = await attackHome(host.options);
    const { client: c } = t;
    const before = await t.outside();
    await c.symlink(0, "s", t.storeFromOut);

    const partial = await c.walk(0, 2, ["s", "record.json"]);
    assert.equal(partial.u16(), 1, "the walk stops at the symlink");
    assert.equal(await c.errno(P9.Tgetattr, (w) => w.u32(2).u64(0x7ff)), ERRNO.EBADF, "a partial walk makes no fid");

    // A fid on the symlink itself is legal (the guest reads links), but it is never a directory.
    await c.walk(0, 3, ["s"]);
    assert.equal(await c.errno(P9.Tlcreate, (w) => w.u32(3).str("planted").u32(0o101).u32(0o644).u32(0)), ERRNO.ELOOP);
    assert.equal(await c.errno(P9.Tmkdir, (w) => w.u32(3).str("planted").u32(0o755).u32(0)), ERRNO.ELOOP);
    assert.equal(await c.errno(P9.Tsymlink, (w) => w.u32(3).str("planted").str("x").u32(0)), ERRNO.ELOOP);
    assert.equal(await c.errno(P9.Tunlinkat, (w) => w.u32(3).str("record.json").u32(0)), ERRNO.ELOOP);
    assert.equal(await c.errno(P9.Trenameat, (w) => w.u32(3).str("record.json").u32(0).str("stolen")), ERRNO.ELOOP);
    assert.equal(await c.errno(P9.Tlopen, (w) => w.u32(3).u32(O_DIRECTORY)), ERRNO.ELOOP, "no listing through it");

    assert.equal(await fs.readFile(t.record, "utf8"), RECORD_TEXT);
    assert.deepEqual((await fs.readdir(t.out)).sort(), ["s"]);
    assert.deepEqual(await t.outside(), before, "nothing outside the share changed");
    await t.dispose();
  });

  test("a file in the way of a path is ENOTDIR, never opened as a directory", async () => {
    const t = await attackHome(host.options);
    const { client: c } = t;
    await c.walk(0, 1, []);
    await c.lcreate(1, "f", 0o644);
    assert.equal((await c.walk(0, 2, ["f", "x"])).u16(), 1, "the walk stops after f");
    await c.walk(0, 3, ["f"]);
    assert.equal(await c.errno(P9.Tlcreate, (w) => w.u32(3).str("x").u32(0o101).u32(0o644).u32(0)), ERRNO.ENOTDIR);
    assert.deepEqual(await fs.readdir(t.out), ["f"]);
    await t.dispose();
  });
});
