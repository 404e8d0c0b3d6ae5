// Attack class: special files. A FIFO or device node the guest made on the share would be a real
// one on the host (a /dev/sda of the host's numbering, say): Tmknod is always refused.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import { test } from "node:test";
import { ERRNO } from "../../src/vm/p9/errno.js";
import { P9 } from "../../src/vm/p9/wire.js";
import { attackHome, S_IFCHR, S_IFIFO } from "../helpers/p9-client.js";

test("mknod of a FIFO, a device or a socket is refused with EPERM and creates nothing", async () => {
  const t = await attackHome();
  const { client: c } = t;
  const before = await t.outside();
  const mknod = (name: string, mode: number, major: number, minor: number) =>
    c.errno(P9.Tmknod, (w) => w.u32(0).str(name).u32(mode).u32(major).u32(minor).u32(0));
  assert.equal(await mknod("fifo", S_IFIFO | 0o644, 0, 0), ERRNO.EPERM);
  assert.equal(await mknod("sda", S_IFCHR | 0o666, 8, 0), ERRNO.EPERM);
  assert.equal(await mknod("sock", 0o140000 | 0o644, 0, 0), ERRNO.EPERM);
  assert.deepEqual(await fs.readdir(t.out), []);
  assert.deepEqual(await t.outside(), before);
  await t.dispose();
});
