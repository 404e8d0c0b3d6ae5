// Kconfig drops options silently; these tests pin down how we notice.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import { describe, test } from "node:test";
import type { GuestArch } from "../../src/arch.js";
import { isZilchError } from "../../src/errors.js";
import { describeMissing, mergeFragments, missingOptions, parseKconfig } from "../../src/kernel/config-fragment.js";
import { kernelFragments } from "../../src/provision.js";

const fragment = parseKconfig(`# Guest kernel fragment
CONFIG_64BIT=y
CONFIG_INET=y
CONFIG_9P_FS=y
CONFIG_VIRTIO_PCI=y
CONFIG_CMDLINE="console=ttyS0"
CONFIG_NR_CPUS=4

# IPv6 only costs boot time.
# CONFIG_IPV6 is not set
# CONFIG_VT is not set
`);

describe("parseKconfig", () => {
  test("reads set options, 'is not set' lines as n, and skips other comments", () => {
    assert.deepEqual(
      [...fragment],
      [
        ["64BIT", "y"],
        ["INET", "y"],
        ["9P_FS", "y"],
        ["VIRTIO_PCI", "y"],
        ["CMDLINE", '"console=ttyS0"'],
        ["NR_CPUS", "4"],
        ["IPV6", "n"],
        ["VT", "n"],
      ],
    );
  });

  test("lets a later line win, as merge_config.sh does", () => {
    assert.deepEqual([...parseKconfig("CONFIG_A=y\n# CONFIG_A is not set\n")], [["A", "n"]]);
  });

  test("rejects a line that is neither an option nor a comment, with its line number", () => {
    assert.throws(
      () => parseKconfig("CONFIG_A=y\n9P_FS=y\n", "x86_64.config"),
      (error) => isZilchError(error) && error.code === "KERNEL" && /x86_64\.config:2: cannot parse "9P_FS=y"/.test(error.message),
    );
  });
});

describe("missingOptions", () => {
  const survived = `#
# Automatically generated file; DO NOT EDIT.
#
CONFIG_64BIT=y
CONFIG_INET=y
CONFIG_9P_FS=y
CONFIG_VIRTIO_PCI=y
CONFIG_CMDLINE="console=ttyS0"
CONFIG_NR_CPUS=4
# CONFIG_IPV6 is not set
CONFIG_EXTRA=y
`;

  test("is empty when every requested option survived (absent counts as not set)", () => {
    assert.deepEqual(missingOptions(fragment, survived), []);
  });

  test("reports an option Kconfig dropped because a dependency is unmet", () => {
    const dropped = survived.replace("CONFIG_9P_FS=y\n", "");
    const missing = missingOptions(fragment, dropped);
    assert.deepEqual(missing, [{ option: "9P_FS", requested: "y", got: undefined }]);
    assert.equal(describeMissing(missing[0]!), "9P_FS requested y, got not set");
  });

  test("reports an option that ended up as a module instead of built in", () => {
    const missing = missingOptions(fragment, survived.replace("CONFIG_VIRTIO_PCI=y", "CONFIG_VIRTIO_PCI=m"));
    assert.deepEqual(missing.map(describeMissing), ["VIRTIO_PCI requested y, got m"]);
  });

  test("reports a 'not set' option that became y", () => {
    const missing = missingOptions(fragment, survived.replace("# CONFIG_IPV6 is not set", "CONFIG_IPV6=y"));
    assert.deepEqual(missing.map(describeMissing), ["IPV6 requested not set, got y"]);
  });

  test("reports changed values and explicit 'is not set' lines", () => {
    const changed = survived
      .replace("CONFIG_NR_CPUS=4", "CONFIG_NR_CPUS=8")
      .replace("CONFIG_INET=y", "# CONFIG_INET is not set");
    assert.deepEqual(missingOptions(fragment, changed).map(describeMissing), [
      "INET requested y, got not set",
      "NR_CPUS requested 4, got 8",
    ]);
  });
});

describe("mergeFragments and the per-arch kernel fragments", () => {
  const read = async (arch: GuestArch) =>
    mergeFragments(await Promise.all(kernelFragments(arch).map(async (source) => ({ source, text: await fs.readFile(source, "utf8") }))));

  test("a later fragment overrides an earlier one, as merge_config.sh does", () => {
    const merged = mergeFragments([
      { source: "common", text: "CONFIG_A=y\nCONFIG_B=y\n" },
      { source: "arch", text: "# CONFIG_B is not set\nCONFIG_C=y\n" },
    ]);
    assert.deepEqual([...merged], [["A", "y"], ["B", "n"], ["C", "y"]]);
  });

  test("a typo in any fragment names that fragment", () => {
    assert.throws(() => mergeFragments([{ source: "ok", text: "CONFIG_A=y\n" }, { source: "vm/kernel/i386.config", text: "CONFIG_B y\n" }]), /vm\/kernel\/i386\.config:1/);
  });

  test("x86_64 is 64-bit with PVH and ACPI; i386 is 32-bit, 686, without ACPI; both share the rest", async () => {
    const x86_64 = await read("x86_64");
    const i386 = await read("i386");
    assert.equal(x86_64.get("64BIT"), "y");
    assert.equal(x86_64.get("PVH"), "y");
    assert.equal(x86_64.get("ACPI"), "y");
    assert.equal(i386.get("64BIT"), "n");
    assert.equal(i386.get("M686"), "y");
    assert.equal(i386.get("ACPI"), "n");
    assert.equal(i386.get("PVH"), undefined);
    // What a stage needs is in the shared part, so both arches get it.
    for (const option of ["SERIAL_8250_CONSOLE", "VIRTIO_PCI", "9P_FS", "INET", "X86_IOPL_IOPERM", "DEVTMPFS", "TMPFS"]) {
      assert.equal(x86_64.get(option), "y", option);
      assert.equal(i386.get(option), "y", option);
    }
    const delta = new Set(["64BIT", "M686", "PVH", "HYPERVISOR_GUEST", "ACPI", "ACPI_AC", "ACPI_BATTERY", "ACPI_FAN", "ACPI_DOCK", "ACPI_THERMAL"]);
    for (const [option, value] of x86_64) if (!delta.has(option)) assert.equal(i386.get(option), value, option);
  });

  test("both arches ask for what 9p over virtio-serial needs: an initramfs, virtio ports, the fd transport", async () => {
    // The kernel build checks every requested line in the final .config (missingOptions), so
    // asking here is what makes a dropped option fail the build.
    for (const arch of ["x86_64", "i386"] as const) {
      const options = await read(arch);
      for (const option of ["BLK_DEV_INITRD", "VIRTIO_CONSOLE", "NET_9P_FD", "UNIX"]) assert.equal(options.get(option), "y", `${arch} ${option}`);
      // Our cpio is uncompressed: no decompressor is built.
      for (const option of ["RD_GZIP", "RD_BZIP2", "RD_LZMA", "RD_XZ", "RD_LZO", "RD_LZ4", "RD_ZSTD"]) assert.equal(options.get(option), "n", `${arch} ${option}`);
    }
  });
});
