// Attack class: size and mode changes through a symlink (review §3.1 (b)). A guest symlink that
// points out of the share, truncated through Tsetattr, used to cut the store's record to 0 bytes.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { describe, test } from "node:test";
import { ERRNO, P9Error } from "../../src/vm/p9/errno.js";
import { ShareFs } from "../../src/vm/p9/share-fs.js";
import { P9 } from "../../src/vm/p9/wire.js";
import { attackHome, O_RDWR, RECORD_TEXT, SET_MODE, SET_SIZE, SYMLINK_HOSTS } from "../helpers/p9-client.js";

for (const host of SYMLINK_HOSTS) describe(host.label, () => {
  test("setattr size on a symlink fails with ELOOP and leaves its target whole", async () => {
    const t = await attackHome(host.options);
    const { client: c } = t;
    const before = await t.outside();
    await c.symlink(0, "t", t.recordFromOut);
    await c.walk(0, 3, ["t"]);

    assert.equal(await c.setattrErrno(3, SET_SIZE, { size: 0 }), ERRNO.ELOOP);
    // A mode change on a symlink changes nothing (Linux symlinks have no modes of their own).
    await c.setattr(3, SET_MODE, { mode: 0o777 });
    // Opening the symlink for writing (O_TRUNC) is refused too.
    assert.equal(await c.errno(P9.Tlopen, (w) => w.u32(3).u32(O_RDWR | 0o1000)), ERRNO.ELOOP);

    assert.equal(await fs.readFile(t.record, "utf8"), RECORD_TEXT);
    assert.deepEqual(await t.outside(), before, "nothing outside the share changed");
    await t.dispose();
  });

  test("setattr size and mode still work on a regular file, through a descriptor", async () => {
    const t = await attackHome(host.options);
    const { client: c } = t;
    await c.walk(0, 5, []);
    await c.lcreate(5, "f", 0o200); // write-only: unless we are root, fchmod needs a write-only open
    const data = new TextEncoder().encode("0123456789");
    await c.call(P9.Twrite, (w) => w.u32(5).u64(0).u32(data.byteLength).bytes(data));
    await c.walk(0, 1, ["f"]);
    await c.setattr(1, SET_SIZE, { size: 4 });
    await c.setattr(1, SET_MODE, { mode: 0o640 });
    const st = await fs.lstat(path.join(t.out, "f"));
    assert.equal(st.size, 4);
    assert.equal(st.mode & 0o7777, 0o640);
    await t.dispose();
  });

  // The server skips a chmod of a symlink before it reaches the file layer; the layer refuses one
  // on its own as well, so a future caller cannot change a symlink's target through it.
  test("the share's file layer refuses to chmod through a symlink", async () => {
    const t = await attackHome(host.options);
    await fs.symlink(t.recordFromOut, path.join(t.out, "t"));
    const files = new ShareFs(t.out, host.options.fs);
    await assert.rejects(files.chmod(["t"], 0o777), (err: unknown) =>
      err instanceof P9Error ? err.errno === ERRNO.ELOOP : (err as NodeJS.ErrnoException).code === "ELOOP");
    assert.equal((await fs.stat(t.record)).mode & 0o777, 0o644, "the target keeps its mode");
    await t.dispose();
  });
});
