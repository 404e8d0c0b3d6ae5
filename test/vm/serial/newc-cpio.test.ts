// The newc cpio writer (src/vm/serial/newc-cpio.ts): byte layout, determinism, refusals, and GNU
// cpio (a test dependency, scripts/setup-host.sh --test-extras) reading back what it wrote.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { after, test } from "node:test";
import { execa } from "execa";
import { newcArchive, type CpioEntry } from "../../../src/vm/serial/newc-cpio.js";
import { tempDir } from "../../helpers/home.js";

const dirs: string[] = [];
after(async () => {
  for (const dir of dirs) await fs.rm(dir, { recursive: true, force: true });
});

const text = (s: string) => new TextEncoder().encode(s);

const sample: CpioEntry[] = [
  { type: "dir", path: "dev", mode: 0o755 },
  { type: "chardev", path: "dev/console", mode: 0o600, major: 5, minor: 1 },
  { type: "dir", path: "bin", mode: 0o755 },
  { type: "file", path: "bin/tool", mode: 0o755, data: text("#!/bin/tool\nhello\n") },
  { type: "file", path: "empty", mode: 0o644, data: new Uint8Array(0) },
  { type: "symlink", path: "init", target: "bin/tool" },
];

/** The entries of an archive, parsed field by field (an independent reading of the format). */
function parse(archive: Uint8Array): Array<{ name: string; mode: number; size: number; ino: number; mtime: number; uid: number; rdev: [number, number]; data: string }> {
  const entries = [];
  let at = 0;
  const align = () => (at = (at + 3) & ~3);
  for (;;) {
    const head = Buffer.from(archive.subarray(at, at + 110)).toString("latin1");
    assert.equal(head.slice(0, 6), "070701", `magic at ${at}`);
    const field = (i: number) => parseInt(head.slice(6 + 8 * i, 14 + 8 * i), 16);
    const nameSize = field(11), size = field(6);
    const name = Buffer.from(archive.subarray(at + 110, at + 110 + nameSize - 1)).toString("utf8");
    assert.equal(archive[at + 110 + nameSize - 1], 0, "name is NUL-terminated");
    at += 110 + nameSize;
    align();
    const data = Buffer.from(archive.subarray(at, at + size)).toString("latin1");
    at += size;
    align();
    if (name === "TRAILER!!!") break;
    entries.push({ name, mode: field(1), size, ino: field(0), mtime: field(5), uid: field(2), rdev: [field(9), field(10)] as [number, number], data });
  }
  assert.equal(at, archive.byteLength, "nothing after the trailer");
  return entries;
}

test("entries are written in order with root owners, mtime 0, numbered inodes and 4-byte alignment", () => {
  const entries = parse(newcArchive(sample));
  assert.deepEqual(entries.map((e) => e.name), ["dev", "dev/console", "bin", "bin/tool", "empty", "init"]);
  assert.deepEqual(entries.map((e) => e.ino), [1, 2, 3, 4, 5, 6]);
  assert.ok(entries.every((e) => e.mtime === 0 && e.uid === 0));
  assert.deepEqual(entries.map((e) => e.mode.toString(8)), ["40755", "20600", "40755", "100755", "100644", "120777"]);
  assert.deepEqual(entries[1]!.rdev, [5, 1]);
  assert.equal(entries[3]!.data, "#!/bin/tool\nhello\n");
  assert.equal(entries[5]!.data, "bin/tool", "a symlink's data is its target");
});

test("the same entries give the same bytes", () => {
  assert.deepEqual(newcArchive(sample), newcArchive(structuredClone(sample)));
});

test("GNU cpio lists and extracts the archive as written", async () => {
  const dir = await tempDir("cpio");
  dirs.push(dir);
  const archive = path.join(dir, "initramfs.cpio");
  await fs.writeFile(archive, newcArchive(sample));
  const listing = await execa("cpio", ["-itv", "-F", archive], { reject: false });
  assert.equal(listing.exitCode, 0, listing.stderr);
  assert.match(listing.stdout, /^crw------- .* 5, +1 .*dev\/console$/m);
  assert.match(listing.stdout, /^lrwxrwxrwx .* init -> bin\/tool$/m);
  // Everything but the device node (which needs root) extracts with its mode.
  const files = sample.filter((e) => e.type !== "chardev").map((e) => e.path);
  const into = path.join(dir, "x");
  await fs.mkdir(into);
  const extract = await execa("cpio", ["-idm", "--no-absolute-filenames", "-F", archive, ...files], { cwd: into, reject: false });
  assert.equal(extract.exitCode, 0, extract.stderr);
  assert.equal(await fs.readFile(path.join(into, "bin/tool"), "utf8"), "#!/bin/tool\nhello\n");
  assert.equal((await fs.stat(path.join(into, "bin/tool"))).mode & 0o777, 0o755);
  assert.equal((await fs.stat(path.join(into, "empty"))).size, 0);
  assert.equal(await fs.readlink(path.join(into, "init")), "bin/tool");
});

test("paths that are absolute, unnormalised or outside a listed directory are refused", () => {
  const file = (p: string): CpioEntry => ({ type: "file", path: p, mode: 0o644, data: new Uint8Array(0) });
  for (const bad of ["/init", "a//b", "./init", "../init", "dir/", ""]) {
    assert.throws(() => newcArchive([file(bad)]), /relative and normalised/, bad);
  }
  assert.throws(() => newcArchive([file("bin/tool")]), /comes before its directory bin/);
  assert.throws(() => newcArchive([{ type: "file", path: "x", mode: 0o104755, data: new Uint8Array(0) }]), /permission bits/);
  assert.throws(() => newcArchive([{ type: "symlink", path: "x", target: "" }]), /empty target/);
});
