// The boot-iso argv, without QEMU: what the guest gets and what it must not.
import assert from "node:assert/strict";
import { test } from "node:test";
import { isoQemuArgs, type IsoMachine } from "../../src/iso/iso-args.js";
import { qemuOptionValue } from "../../src/vm/qemu-option.js";

const machine: IsoMachine = { iso: "/images/os.iso", accel: "tcg,thread=multi", memoryMiB: 2048, cpus: 2, display: null, net: false };

function valueOf(args: string[], flag: string): string[] {
  return args.flatMap((arg, i) => (arg === flag ? [args[i + 1]] : []));
}

test("the ISO is a read-only CD drive and the PC boots from it", () => {
  const args = isoQemuArgs(machine);
  assert.deepEqual(valueOf(args, "-drive"), ["file=/images/os.iso,media=cdrom,readonly=on,format=raw,if=ide,index=2"]);
  assert.deepEqual(valueOf(args, "-boot"), ["order=d"]);
  assert.ok(!args.includes("-cdrom") && !args.includes("-hda"), "no other drive");
});

test("without --net the guest has no network device; with it, one user-mode e1000", () => {
  const args = isoQemuArgs(machine);
  assert.deepEqual(valueOf(args, "-nic"), ["none"]);
  assert.ok(args.includes("-nodefaults"), "QEMU's default NIC is off too");
  assert.deepEqual(valueOf(isoQemuArgs({ ...machine, net: true }), "-nic"), ["user,model=e1000"]);
});

test("without --display there is no window and the serial console is on stdio; --display names the backend", () => {
  const args = isoQemuArgs(machine);
  assert.deepEqual(valueOf(args, "-display"), ["none"]);
  assert.deepEqual(valueOf(args, "-serial"), ["stdio"]);
  assert.ok(!args.includes("-nographic") && !args.includes("-monitor"), "no monitor shares the console");
  const windowed = isoQemuArgs({ ...machine, display: "gtk" });
  assert.deepEqual(valueOf(windowed, "-display"), ["gtk"]);
  assert.deepEqual(valueOf(windowed, "-serial"), ["stdio"]);
  assert.deepEqual(valueOf(windowed, "-vga"), valueOf(args, "-vga"), "the guest sees the same PC with or without a window");
});

test("memory, vCPUs and the accelerator come from the options; hardware accelerators get the host CPU", () => {
  const args = isoQemuArgs({ ...machine, memoryMiB: 512, cpus: 3 });
  assert.deepEqual(valueOf(args, "-m"), ["512"]);
  assert.deepEqual(valueOf(args, "-smp"), ["3"]);
  assert.deepEqual(valueOf(args, "-accel"), ["tcg,thread=multi"]);
  assert.ok(!args.includes("-cpu"));
  const kvm = isoQemuArgs({ ...machine, accel: "kvm" });
  assert.deepEqual(valueOf(kvm, "-cpu"), ["host"]);
});

test("a guest reboot ends the run instead of booting the CD again", () => {
  assert.ok(isoQemuArgs(machine).includes("-no-reboot"));
});

test("commas in the ISO path are doubled so QEMU does not split the option there; relative paths become absolute", () => {
  assert.equal(qemuOptionValue("/a,b/c,,d.iso"), "/a,,b/c,,,,d.iso");
  const args = isoQemuArgs({ ...machine, iso: "/isos/x,format=qcow2.iso" });
  assert.equal(valueOf(args, "-drive")[0], "file=/isos/x,,format=qcow2.iso,media=cdrom,readonly=on,format=raw,if=ide,index=2");
  assert.ok(valueOf(isoQemuArgs({ ...machine, iso: "rel.iso" }), "-drive")[0].startsWith(`file=${process.cwd()}/rel.iso,`));
});
