// Choosing how QEMU guests get their shares (src/vm/share-transport.ts) and the argv each transport
// gives QEMU (src/vm/qemu-args.ts). Pure, except the last test, which asks this host's QEMU.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { after, test } from "node:test";
import { isZilchError } from "../../src/errors.js";
import type { BootSpec } from "../../src/vm/backend.js";
import { qemuArgs } from "../../src/vm/qemu-args.js";
import { binaryKey, decideTransport, parseDeviceHelp, parseTransport, qemuDevices } from "../../src/vm/share-transport.js";
import { tempDir } from "../helpers/home.js";

const dirs: string[] = [];
after(async () => {
  for (const dir of dirs) await fs.rm(dir, { recursive: true, force: true });
});

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

const full = { virtio9p: true, virtioSerial: true };
const noVirtfs = { virtio9p: false, virtioSerial: true };

test("--transport takes auto, virtio-9p, serial and serial-tcp, and names them when given anything else", () => {
  assert.equal(parseTransport(undefined), "auto");
  for (const value of ["auto", "virtio-9p", "serial", "serial-tcp"]) assert.equal(parseTransport(value), value);
  assert.throws(() => parseTransport("9p"), (e: unknown) => isZilchError(e) && e.code === "USAGE" && /auto, virtio-9p, serial, serial-tcp/.test(e.message));
});

test("auto uses virtio-9p when QEMU has it and the serial ports when it does not (Windows: over TCP)", () => {
  assert.deepEqual(decideTransport("auto", full, "q", "linux"), { kind: "virtio-9p" });
  assert.deepEqual(decideTransport("auto", noVirtfs, "q", "linux"), { kind: "serial", channel: "unix" });
  assert.deepEqual(decideTransport("auto", noVirtfs, "q", "darwin"), { kind: "serial", channel: "unix" });
  assert.deepEqual(decideTransport("auto", noVirtfs, "q", "win32"), { kind: "serial", channel: "tcp" });
  assert.deepEqual(decideTransport("serial", full, "q", "linux"), { kind: "serial", channel: "unix" });
  assert.deepEqual(decideTransport("serial-tcp", full, "q", "linux"), { kind: "serial", channel: "tcp" });
});

test("a forced transport that QEMU cannot give fails with one line saying what to use", () => {
  assert.throws(() => decideTransport("virtio-9p", noVirtfs, "qemu.exe", "win32"), (e: unknown) => isZilchError(e) && /qemu\.exe has no virtio-9p device/.test(e.message) && /--transport serial/.test(e.hint ?? ""));
  assert.throws(() => decideTransport("auto", { virtio9p: false, virtioSerial: false }, "q"), /no virtio-serial device/);
});

test("-device help output is read for the devices the transports need", () => {
  const help = [
    'name "virtio-9p-pci", bus PCI, alias "virtio-9p"',
    'name "virtio-serial-pci", bus PCI, alias "virtio-serial"',
    'name "virtserialport", bus virtio-serial-bus',
  ].join("\n");
  assert.deepEqual(parseDeviceHelp(help), full);
  assert.deepEqual(parseDeviceHelp(help.split("\n").slice(1).join("\n")), noVirtfs);
  // A device whose name only starts the same is not the one.
  assert.deepEqual(parseDeviceHelp('name "virtio-9p-pci-transitional", bus PCI'), { virtio9p: false, virtioSerial: false });
});

test("the serial transport boots the pre-init initramfs with one socket port per share and no virtio-9p", () => {
  const args = qemuArgs(spec, "tcg", undefined, { transport: "serial", initrd: "/t/initramfs.cpio", root: "path=/t/root.sock", out: "host=127.0.0.1,port=4000,nodelay=on" });
  assert.ok(!args.some((a) => /fsdev|virtio-9p/.test(a)), "no virtfs at all");
  assert.deepEqual(args.slice(args.indexOf("-initrd"), args.indexOf("-initrd") + 2), ["-initrd", "/t/initramfs.cpio"]);
  const append = args[args.indexOf("-append") + 1]!;
  assert.match(append, /zilchboot\.shares=root,out init=\/store\/0-tcc-seed panic=-1 -- -run \/recipe\/x\.c exit=0$/);
  const values = (flag: string) => args.filter((_, i) => args[i - 1] === flag);
  assert.deepEqual(values("-chardev"), ["socket,id=zbroot,path=/t/root.sock", "socket,id=zbout,host=127.0.0.1,port=4000,nodelay=on"]);
  assert.deepEqual(values("-device").filter((d) => /virtserial|virtio-serial/.test(d)), [
    "virtio-serial-pci,id=zbserial",
    "virtserialport,bus=zbserial.0,chardev=zbroot,name=zb.root",
    "virtserialport,bus=zbserial.0,chardev=zbout,name=zb.out",
  ]);
  // Hermetic as before: no NIC, no defaults.
  assert.deepEqual(args.slice(args.indexOf("-nic"), args.indexOf("-nic") + 2), ["-nic", "none"]);
  assert.ok(args.includes("-nodefaults"));
});

test("without an out share the serial guest gets one port and is told so", () => {
  const args = qemuArgs({ ...spec, outDir: undefined }, "tcg", undefined, { transport: "serial", initrd: "/t/i.cpio", root: "path=/t/root.sock" });
  assert.match(args[args.indexOf("-append") + 1]!, / zilchboot\.shares=root init=/);
  assert.equal(args.filter((a) => a.startsWith("virtserialport")).length, 1);
});

test("a binary's cache key follows PATH lookup and changes with the file", async () => {
  const dir = await tempDir("transport");
  dirs.push(dir);
  const bin = path.join(dir, "qemu-fake");
  await fs.writeFile(bin, "#!/bin/sh\n", { mode: 0o755 });
  const key = binaryKey("qemu-fake", { PATH: `/nonexistent${path.delimiter}${dir}` }, "linux");
  assert.equal(key, binaryKey(bin));
  assert.ok(key?.startsWith(`${bin}|10|`));
  await fs.appendFile(bin, "exit 0\n");
  assert.notEqual(binaryKey(bin), key);
  assert.equal(binaryKey("no-such-qemu", { PATH: dir }, "linux"), undefined);
});

test("this host's QEMU is asked once: the answer is cached per binary", async () => {
  const dir = await tempDir("transport-cache");
  dirs.push(dir);
  const devices = await qemuDevices("qemu-system-x86_64", dir);
  assert.deepEqual(devices, full, "Debian's QEMU has virtfs and virtio-serial");
  const cached = JSON.parse(await fs.readFile(path.join(dir, "qemu-devices.json"), "utf8")) as Record<string, unknown>;
  assert.equal(Object.keys(cached).length, 1);
  // A cached answer is used as is (here: edited to prove no second question was asked).
  const key = Object.keys(cached)[0]!;
  await fs.writeFile(path.join(dir, "qemu-devices.json"), JSON.stringify({ [key]: { virtio9p: false, virtioSerial: true, checkedAt: "x" } }));
  assert.deepEqual(await qemuDevices("qemu-system-x86_64", dir), noVirtfs);
});
