// Attack class: names a Windows host cannot hold. On win32 "\" is a path separator (so
// `..\..\x` left the share), ":" opens an alternate data stream, "nul.txt" is the NUL device,
// and "a." is the same file as "a". The rules are chosen by an injectable platform, so this runs
// on Linux.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import { test } from "node:test";
import { ERRNO } from "../../src/vm/p9/errno.js";
import { nameProblem } from "../../src/vm/p9/names.js";
import { P9 } from "../../src/vm/p9/wire.js";
import { attackHome } from "../helpers/p9-client.js";

const WINDOWS_BAD = [
  "..\\..\\x", "a\\b", "c:", "a:stream", "*", "a?", "\"q\"", "<", ">", "a|b", "\u0001", "tab\tname", "\u001f",
  "CON", "con", "Prn", "AUX", "NUL", "nul.txt", "COM1", "com9.log", "LPT1", "lpt9.tar.gz",
  "trailing.", "trailing ", ".",
];
const WINDOWS_FINE = ["console", "com10", "com0", "nul_", "a.b", ".hidden", "naïve", "lpt", "a b"];
const NOWHERE = [".", "..", "", "a/b", "a\0b"];

test("the name rules: Windows' on win32, only / NUL . .. everywhere", () => {
  for (const name of WINDOWS_BAD) assert.ok(nameProblem(name, "win32"), JSON.stringify(name));
  for (const name of WINDOWS_FINE) assert.equal(nameProblem(name, "win32"), null, JSON.stringify(name));
  for (const name of NOWHERE) for (const p of ["linux", "darwin", "win32"] as const) assert.ok(nameProblem(name, p), `${JSON.stringify(name)} on ${p}`);
  for (const name of ["a\\b", "c:", "nul.txt", "trailing.", "\u0001"]) assert.equal(nameProblem(name, "linux"), null, JSON.stringify(name));
});

test("on a win32 share every creating request and every walk refuses such names with EINVAL", async () => {
  const t = await attackHome({ platform: "win32" });
  const { client: c } = t;
  const before = await t.outside();
  await c.mkdir(0, "d");
  await c.walk(0, 1, []);
  for (const name of WINDOWS_BAD) {
    const what = JSON.stringify(name);
    assert.equal(await c.errno(P9.Tlcreate, (w) => w.u32(1).str(name).u32(0o101).u32(0o644).u32(0)), ERRNO.EINVAL, `lcreate ${what}`);
    assert.equal(await c.errno(P9.Tmkdir, (w) => w.u32(0).str(name).u32(0o755).u32(0)), ERRNO.EINVAL, `mkdir ${what}`);
    assert.equal(await c.errno(P9.Tsymlink, (w) => w.u32(0).str(name).str("d").u32(0)), ERRNO.EINVAL, `symlink ${what}`);
    assert.equal(await c.errno(P9.Trenameat, (w) => w.u32(0).str("d").u32(0).str(name)), ERRNO.EINVAL, `rename to ${what}`);
    assert.equal(await c.errno(P9.Tlink, (w) => w.u32(0).u32(1).str(name)), ERRNO.EINVAL, `link ${what}`);
    if (name !== ".") assert.equal(await c.walkErrno(0, 2, [name]), ERRNO.EINVAL, `walk ${what}`);
  }
  // Names Windows can hold still work.
  for (const name of WINDOWS_FINE) await c.mkdir(0, name);
  assert.deepEqual((await fs.readdir(t.out)).sort(), ["d", ...WINDOWS_FINE].sort());
  assert.deepEqual(await t.outside(), before, "nothing outside the share changed");
  await t.dispose();
});

test("on a Linux share the same names are plain names", async () => {
  const t = await attackHome({ platform: "linux" });
  const { client: c } = t;
  for (const name of ["a\\b", "a:stream", "nul.txt", "trailing."]) await c.mkdir(0, name);
  assert.deepEqual((await fs.readdir(t.out)).sort(), ["a:stream", "a\\b", "nul.txt", "trailing."]);
  await t.dispose();
});
