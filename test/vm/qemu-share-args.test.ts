// The share options in QEMU's argv: paths with commas stay one value, and the writable out share
// uses security_model=mapped-file while the read-only root stays passthrough.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { BootSpec } from "../../src/vm/backend.js";
import { qemuArgs } from "../../src/vm/qemu-args.js";
import { qemuOptionValue } from "../../src/vm/qemu-option.js";

const home = "/home/a,b/zilch,home";
const spec: BootSpec = {
  kernel: `${home}/images/vmlinux`,
  rootDir: `${home}/runs/x/root`,
  outDir: `${home}/runs/x/entry/out`,
  init: "/store/0-tcc-seed",
  initArgs: [],
  memoryMiB: 256,
  cpus: 1,
  timeoutMs: 1000,
  consoleLog: "/dev/null",
};

/** QEMU's own split of an option list: a single comma separates, a double comma is a comma. */
function splitQemuOptions(value: string): string[] {
  return value.split(/(?<!,),(?!,)/).map((part) => part.replaceAll(",,", ","));
}

test("a comma is doubled in an option value, and QEMU's split gives the value back", () => {
  assert.equal(qemuOptionValue("/a,b/c,,d.iso"), "/a,,b/c,,,,d.iso");
  assert.deepEqual(splitQemuOptions(`path=${qemuOptionValue("/x,y")},readonly=on`), ["path=/x,y", "readonly=on"]);
});

test("share and socket paths under a home with commas stay one option value each", () => {
  const args = qemuArgs(spec, "tcg", { controlSocket: `${home}/control.sock` });
  const values = (flag: string) => args.filter((_, i) => args[i - 1] === flag).map(splitQemuOptions);
  const [root, out] = values("-fsdev");
  assert.deepEqual(root, ["local", "id=rootfs", `path=${spec.rootDir}`, "security_model=none", "readonly=on"]);
  assert.deepEqual(out, ["local", "id=out", `path=${spec.outDir}`, "security_model=mapped-file"]);
  assert.deepEqual(values("-chardev")[0], ["socket", "id=control", `path=${home}/control.sock`]);
  // -kernel takes a plain file name (no option list): it is passed as it is.
  assert.equal(args[args.indexOf("-kernel") + 1], spec.kernel);
});
