// The DDC verdict is a byte comparison; these pin down what it reports.
import assert from "node:assert/strict";
import { test } from "node:test";
import { compareBuilds, describeVerdict } from "../../src/stages/ddc.js";

test("identical builds: verdict IDENTICAL and equal hashes", () => {
  const v = compareBuilds(Buffer.from("\x7fELF tcc"), Buffer.from("\x7fELF tcc"));
  assert.equal(v.identical, true);
  assert.equal(v.firstDifference, null);
  assert.equal(v.ddcSha256, v.referenceSha256);
  assert.match(describeVerdict(v).at(-1)!, /^ddc: IDENTICAL/);
});

test("a differing byte is reported at its offset with both hashes", () => {
  const v = compareBuilds(Buffer.from("abcdXf"), Buffer.from("abcdef"));
  assert.equal(v.identical, false);
  assert.equal(v.firstDifference, 4);
  assert.notEqual(v.ddcSha256, v.referenceSha256);
  const lines = describeVerdict(v);
  assert.ok(lines[0]!.includes(v.referenceSha256) && lines[1]!.includes(v.ddcSha256));
  assert.equal(lines.at(-1), "ddc: DIFFERENT: the files first differ at byte offset 4");
});

test("one file a prefix of the other differs where the shorter ends", () => {
  assert.equal(compareBuilds(Buffer.from("abc"), Buffer.from("abcd")).firstDifference, 3);
  assert.equal(compareBuilds(Buffer.from("abcd"), Buffer.from("abc")).firstDifference, 3);
});
