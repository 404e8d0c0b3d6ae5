// The command a failure message prints must rebuild the same VM: the invocation's flags (paths made
// absolute) and the ZILCHBOOT_* variables that move recipes, store and caches, shell-quoted.
import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import { reproduction } from "../src/commands/vm-flags.js";
import { rerunHint } from "../src/stages/rerun-hint.js";

test("the reproducing command carries the flags and place variables of the invocation", () => {
  const options = { kernel: "k/vmlinux", seed: "/s/tcc seed", memory: "512", cpus: "3", backend: "qemu", qemu: "qemu-system-x86_64", mirror: ["/m"], keep: true, verbose: true };
  const reproduce = reproduction({ options }, { ZILCHBOOT_HOME: "home", ZILCHBOOT_DOWNLOADS: "/c", PATH: "/bin" });
  assert.deepEqual(reproduce.env, { ZILCHBOOT_HOME: path.resolve("home"), ZILCHBOOT_DOWNLOADS: "/c" });
  assert.deepEqual(reproduce.flags, ["--memory", "512", "--backend", "qemu", "--kernel", path.resolve("k/vmlinux"), "--seed", "/s/tcc seed", "--qemu", "qemu-system-x86_64", "--mirror", "/m"]);
  assert.equal(reproduce.native, false);
  assert.equal(
    rerunHint({ name: "2a0-make", arch: "x86_64" }, reproduce, 3),
    `to debug it, re-run the stage in its VM and get a shell in its build tree: ZILCHBOOT_HOME=${path.resolve("home")} ZILCHBOOT_DOWNLOADS=/c zilchboot shell 2a0-make --rerun --cpus 3 --memory 512 --backend qemu --kernel ${path.resolve("k/vmlinux")} --seed '/s/tcc seed' --qemu qemu-system-x86_64 --mirror /m`,
  );
});

test("a native build's hint says shell needs a VM; an i386 stage's says why shell cannot open it", () => {
  const native = reproduction({ options: { runner: "native" } }, {});
  assert.equal(native.native, true);
  assert.match(rerunHint({ name: "2a0-make", arch: "x86_64" }, native, 2), /shell needs one; this run used --runner native.*: zilchboot shell 2a0-make --rerun --cpus 2$/);
  assert.match(rerunHint({ name: "1-stage1-i386", arch: "i386" }, native, 1), /^zilchboot shell cannot open 1-stage1-i386 \(an i386 stage; .*: zilchboot build 1-stage1-i386 --keep --verbose --cpus 1$/);
});

test("--share-fs and ZILCHBOOT_SHARE_FS travel into the reproducing command as given", () => {
  const reproduce = reproduction({ options: { "share-fs": "foreign", backend: "v86" } }, { ZILCHBOOT_SHARE_FS: "memory" });
  assert.deepEqual(reproduce.flags, ["--backend", "v86", "--share-fs", "foreign"]);
  assert.deepEqual(reproduce.env, { ZILCHBOOT_SHARE_FS: "memory" });
});
