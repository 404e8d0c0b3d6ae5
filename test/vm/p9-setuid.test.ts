// Attack class: setuid, setgid and sticky bits from the guest. A guest runs as root; a 4755 file
// it made on the share used to keep its setuid bit on the host (and in a --keep'd failed run).
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { P9 } from "../../src/vm/p9/wire.js";
import { attackHome, SET_MODE } from "../helpers/p9-client.js";

test("create, mkdir and chmod keep the permission bits and drop setuid, setgid and sticky", async () => {
  const t = await attackHome();
  const { client: c } = t;
  await c.walk(0, 1, []);
  await c.lcreate(1, "suid", 0o4755);
  await c.mkdir(0, "sgid", 0o2775);
  await c.mkdir(0, "sticky", 0o1777);
  await c.walk(0, 2, []);
  await c.lcreate(2, "plain", 0o644);
  await c.walk(0, 3, ["plain"]);
  await c.setattr(3, SET_MODE, { mode: 0o6777 });
  await c.walk(0, 4, ["sgid"]);
  await c.setattr(4, SET_MODE, { mode: 0o3755 });

  const mode = async (name: string) => (await fs.lstat(path.join(t.out, name))).mode & 0o7777;
  assert.equal(await mode("suid"), 0o755);
  assert.equal(await mode("sgid"), 0o755);
  assert.equal(await mode("sticky"), 0o777);
  assert.equal(await mode("plain"), 0o777);
  // And the guest is told the truth: no setuid bit.
  assert.equal((await c.mode(3)) & 0o7000, 0);
  for (const name of await fs.readdir(t.out)) assert.equal((await mode(name)) & 0o7000, 0, name);
  await c.call(P9.Tclunk, (w) => w.u32(1));
  await t.dispose();
});
