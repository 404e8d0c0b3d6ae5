// The output identity: a canonical manifest whose hash does not depend on the host file system.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { ZilchError } from "../../src/errors.js";
import { captureOutput, describeManifestDiff, diffManifests } from "../../src/store/manifest.js";

async function tree(files: Record<string, string>, links: Record<string, string> = {}): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "zilchboot-manifest-"));
  for (const [name, content] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await fs.writeFile(path.join(dir, name), content);
  }
  for (const [name, target] of Object.entries(links)) await fs.symlink(target, path.join(dir, name));
  return dir;
}

test("hard links, mtimes, owners and creation order do not change the identity", async () => {
  const a = await tree({ "bin/ld": "ELF", "bin/ld.bfd": "ELF", "lib/x": "x" });
  const b = await tree({ "lib/x": "x", "bin/ld": "ELF" });
  await fs.link(path.join(b, "bin/ld"), path.join(b, "bin/ld.bfd"));
  await fs.utimes(path.join(b, "lib/x"), new Date(12345), new Date(12345));
  if (process.getuid?.() === 0) await fs.chown(path.join(b, "lib/x"), 1234, 1234);
  assert.equal((await captureOutput(a)).sha256, (await captureOutput(b)).sha256);
});

test("content, exec bit, names and symlink targets each change the identity", async () => {
  const base = (await captureOutput(await tree({ f: "1" }, { l: "f" }))).sha256;
  assert.notEqual((await captureOutput(await tree({ f: "2" }, { l: "f" }))).sha256, base);
  assert.notEqual((await captureOutput(await tree({ g: "1" }, { l: "f" }))).sha256, base);
  assert.notEqual((await captureOutput(await tree({ f: "1" }, { l: "g" }))).sha256, base);
  const exec = await tree({ f: "1" }, { l: "f" });
  await fs.chmod(path.join(exec, "f"), 0o700);
  assert.notEqual((await captureOutput(exec)).sha256, base);
});

test("modes are normalised on disk and no setuid, setgid or sticky bit survives", async () => {
  const dir = await tree({ "bin/tool": "#!x", "share/doc": "d" });
  await fs.chmod(path.join(dir, "bin/tool"), 0o4711);
  await fs.chmod(path.join(dir, "share/doc"), 0o2600);
  await fs.chmod(path.join(dir, "share"), 0o1777);
  const identity = await captureOutput(dir);
  assert.equal((await fs.stat(path.join(dir, "bin/tool"))).mode & 0o7777, 0o755);
  assert.equal((await fs.stat(path.join(dir, "share/doc"))).mode & 0o7777, 0o644);
  assert.equal((await fs.stat(path.join(dir, "share"))).mode & 0o7777, 0o755);
  assert.deepEqual(identity.manifest.map((e) => [e.path, e.type, e.mode]), [
    ["bin", "dir", "0755"], ["bin/tool", "file", "0755"], ["share", "dir", "0755"], ["share/doc", "file", "0644"],
  ]);
  assert.equal(identity.files, 2);
  assert.equal(identity.bytes, 4);
});

test("a FIFO in the output fails the capture with one line naming its path", async () => {
  const dir = await tree({ "a/keep": "k" });
  execFileSync("mkfifo", [path.join(dir, "a/pipe")]);
  await assert.rejects(captureOutput(dir), (error: unknown) => {
    assert.ok(error instanceof ZilchError);
    assert.match(error.message, /holds a FIFO at a\/pipe/);
    assert.ok(!error.message.includes("\n"));
    return true;
  });
});

test("a diff names the files added, removed and changed", async () => {
  const before = (await captureOutput(await tree({ same: "s", gone: "g", edited: "1" }))).manifest;
  const afterDir = await tree({ same: "s", edited: "22", fresh: "n" });
  const after = (await captureOutput(afterDir)).manifest;
  const diff = diffManifests(before, after);
  assert.deepEqual(diff, { added: ["fresh"], removed: ["gone"], changed: [{ path: "edited", what: "content (1 → 2 bytes)" }] });
  assert.deepEqual(describeManifestDiff(diff), ["added (1):", "  fresh", "removed (1):", "  gone", "changed (1):", "  edited: content (1 → 2 bytes)"]);
});
