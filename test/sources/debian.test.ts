import assert from "node:assert/strict";
import { test } from "node:test";
import { compareDebianVersions, parseShowsrc } from "../../src/sources/providers/debian.js";

test("Debian version order matches dpkg", () => {
  const ascending = ["1.0~rc1-1", "1.0-1", "1.0-1+b1", "1.0-2", "1.0a-1", "1.0.1-1", "1.10-1", "1:0.1-1"];
  for (let i = 0; i + 1 < ascending.length; i++) {
    assert.ok(compareDebianVersions(ascending[i], ascending[i + 1]) < 0, `${ascending[i]} < ${ascending[i + 1]}`);
    assert.ok(compareDebianVersions(ascending[i + 1], ascending[i]) > 0, `${ascending[i + 1]} > ${ascending[i]}`);
  }
  assert.equal(compareDebianVersions("0.9.27+git20200814.62c30a4a-2", "0.9.27+git20200814.62c30a4a-2"), 0);
});

test("apt-cache showsrc stanzas yield version and Checksums-Sha256 files", () => {
  const hash = "d".repeat(64);
  const text = [
    "Package: tcc",
    "Version: 1-1",
    "Files:",
    ` ${"0".repeat(32)} 10 tcc_1.orig.tar.bz2`,
    "Checksums-Sha256:",
    ` ${hash} 10 tcc_1.orig.tar.bz2`,
    ` ${"e".repeat(64)} 5 tcc_1-1.dsc`,
    "Directory: pool/main/t/tcc",
    "",
    "Package: tcc",
    "Version: 1-2",
    "",
  ].join("\n");
  const stanzas = parseShowsrc(text);
  assert.deepEqual(stanzas.map((s) => s.version), ["1-1", "1-2"]);
  assert.deepEqual(stanzas[0].files.get("tcc_1.orig.tar.bz2"), { sha256: hash, size: 10 });
  assert.equal(stanzas[0].files.size, 2);
  assert.equal(stanzas[1].files.size, 0);
});
