import assert from "node:assert/strict";
import { test } from "node:test";
import type { BootSpec } from "../../src/vm/backend.js";
import { qemuArgs, qemuBinaryFor } from "../../src/vm/qemu-args.js";

const spec: BootSpec = {
  kernel: "/k/vmlinux",
  rootDir: "/r/root",
  outDir: "/r/out",
  init: "/store/0-tcc-seed",
  initArgs: ["-run", "/recipe/x.c", "exit=0"],
  memoryMiB: 256,
  cpus: 2,
  timeoutMs: 1000,
  consoleLog: "/dev/null",
};

test("qemu args have no network device, no defaults and a read-only root share", () => {
  const args = qemuArgs(spec, "tcg,thread=multi");
  assert.ok(args.includes("-nodefaults"));
  assert.deepEqual(args.slice(args.indexOf("-nic"), args.indexOf("-nic") + 2), ["-nic", "none"]);
  assert.ok(!args.some((a) => /netdev|virtio-net|e1000|user,/.test(a)), "no NIC of any kind");
  const fsdevs = args.filter((_, i) => args[i - 1] === "-fsdev");
  assert.equal(fsdevs.length, 2);
  assert.match(fsdevs[0], /^local,id=rootfs,path=\/r\/root,.*readonly=on/);
  assert.doesNotMatch(fsdevs[1], /readonly/);
  assert.ok(args.includes("-no-reboot"));
  assert.ok(args.some((a) => a.startsWith("isa-debug-exit,iobase=0xf4")));
});

test("KVM and HVF get the host CPU; WHPX and TCG keep QEMU's default model", () => {
  assert.deepEqual(qemuArgs(spec, "kvm").slice(0, 4), ["-accel", "kvm", "-cpu", "host"]);
  assert.deepEqual(qemuArgs(spec, "hvf").slice(0, 4), ["-accel", "hvf", "-cpu", "host"]);
  assert.deepEqual(qemuArgs(spec, "whpx,kernel-irqchip=off").slice(0, 3), ["-accel", "whpx,kernel-irqchip=off", "-M"]);
  assert.deepEqual(qemuArgs(spec, "tcg,thread=multi").slice(0, 3), ["-accel", "tcg,thread=multi", "-M"]);
});

test("an interactive session adds the control port as the second serial port, nothing else", () => {
  const plain = qemuArgs(spec, "tcg");
  const interactive = qemuArgs(spec, "tcg", { controlSocket: "/tmp/x/control.sock" });
  const at = interactive.indexOf("-chardev");
  assert.deepEqual(interactive.slice(at, at + 4), ["-chardev", "socket,id=control,path=/tmp/x/control.sock", "-serial", "chardev:control"]);
  assert.deepEqual([...interactive.slice(0, at), ...interactive.slice(at + 4)], plain);
  // ttyS0 stays the console on stdio; the control port is ttyS1.
  const serials = interactive.filter((_, i) => interactive[i - 1] === "-serial");
  assert.deepEqual(serials, ["stdio", "chardev:control"]);
  assert.deepEqual(interactive.slice(interactive.indexOf("-nic"), interactive.indexOf("-nic") + 2), ["-nic", "none"]);
});

test("an i386 guest runs under qemu-system-i386 with the same hermetic argv, booting its bzImage", () => {
  assert.equal(qemuBinaryFor("i386"), "qemu-system-i386");
  assert.equal(qemuBinaryFor("x86_64"), "qemu-system-x86_64");
  assert.equal(qemuBinaryFor("i386", "/opt/qemu/bin/qemu-system-i386"), "/opt/qemu/bin/qemu-system-i386", "--qemu wins");
  const args = qemuArgs({ ...spec, kernel: "/k/i386/bzImage", cpus: 1 }, "tcg,thread=multi");
  assert.deepEqual(args.slice(args.indexOf("-kernel"), args.indexOf("-kernel") + 2), ["-kernel", "/k/i386/bzImage"]);
  assert.deepEqual(args.slice(args.indexOf("-M"), args.indexOf("-M") + 2), ["-M", "pc"]);
  assert.ok(!args.includes("-cpu"), "TCG keeps QEMU's default CPU (qemu32 for i386: has cmov, as CONFIG_M686 needs)");
  assert.deepEqual(args.slice(args.indexOf("-nic"), args.indexOf("-nic") + 2), ["-nic", "none"]);
  assert.ok(args.some((a) => a.startsWith("isa-debug-exit,iobase=0xf4")));
});
