// Kconfig drops options silently; these tests pin down how we notice.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isZilchError } from "../../src/errors.js";
import { describeMissing, missingOptions, parseKconfig } from "../../src/kernel/config-fragment.js";

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
