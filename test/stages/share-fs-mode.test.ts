// Which share storage a stage runs with: auto picks memory only where the host's file system lacks
// Linux's metadata, or an input is a store archive, and the backend serves the shares; an explicit memory or foreign on a backend
// that serves host directories (the native runner) is one clear error.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ZilchError } from "../../src/errors.js";
import { parseShareFs, resolveShareFs } from "../../src/stages/share-fs-mode.js";
import type { VmBackend } from "../../src/vm/backend.js";

const unused = () => Promise.reject(new Error("not booted in this test"));
const serving: VmBackend = { name: "v86", servesShareTrees: true, probe: unused, boot: unused };
const hostDirs: VmBackend = { name: "native", probe: unused, boot: unused };

test("auto is memory on Windows and macOS where the backend serves the shares, else host", () => {
  assert.equal(resolveShareFs(undefined, serving, "linux"), "host");
  assert.equal(resolveShareFs("auto", serving, "win32"), "memory");
  assert.equal(resolveShareFs("auto", serving, "darwin"), "memory");
  assert.equal(resolveShareFs("auto", hostDirs, "win32"), "host");
  assert.equal(resolveShareFs("foreign", serving, "linux"), "foreign");
  assert.equal(resolveShareFs("host", serving, "win32"), "host");
});

test("auto is memory on any host when an input is a store archive (only a tree can serve it), unless the backend cannot serve trees", () => {
  assert.equal(resolveShareFs(undefined, serving, "linux", true), "memory");
  assert.equal(resolveShareFs("auto", hostDirs, "linux", true), "host");
  assert.equal(resolveShareFs("host", serving, "linux", true), "host");
});

test("memory or foreign on a backend that serves host directories fails naming the way out", () => {
  assert.throws(() => resolveShareFs("foreign", hostDirs, "linux"), (error: unknown) => {
    assert.ok(error instanceof ZilchError);
    assert.match(error.message, /--share-fs foreign needs a backend that serves the shares with zilchboot's own 9p server; native serves host directories/);
    assert.match(error.hint ?? "", /QEMU or v86 runner/);
    return true;
  });
});

test("a value that is not a mode is a usage error naming the source", () => {
  assert.equal(parseShareFs("memory"), "memory");
  assert.throws(() => parseShareFs("ntfs", "ZILCHBOOT_SHARE_FS"), /ZILCHBOOT_SHARE_FS must be auto, host, memory, foreign; got "ntfs"/);
});
