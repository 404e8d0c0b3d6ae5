import assert from "node:assert/strict";
import { test } from "node:test";
import { closeNames, didYouMean } from "../src/did-you-mean.js";

const STAGES = ["0-smoke", "1-stage1", "1-stage1-i386", "2a0-make", "2a1-binutils", "2a5a-gcc10-o0", "2a5b-gcc10-o0-rebuilt", "2a5c-gcc10"];

test("a stage's number is enough to be pointed at the stage", () => {
  assert.deepEqual(closeNames("2a1", STAGES), ["2a1-binutils"]);
  assert.equal(didYouMean("2a1", STAGES), "did you mean 2a1-binutils?");
});

test("a prefix shared by several names suggests at most three of them", () => {
  assert.equal(didYouMean("2a5", STAGES), "did you mean 2a5a-gcc10-o0, 2a5b-gcc10-o0-rebuilt or 2a5c-gcc10?");
});

test("typos within a third of the word are matched, a swap of two letters counting as one", () => {
  assert.deepEqual(closeNames("kvmm", ["kvm", "hvf", "whpx", "tcg"]), ["kvm"]);
  assert.deepEqual(closeNames("biuld", ["build", "plan", "verify"]), ["build"]);
  assert.deepEqual(closeNames("1-stag1", STAGES), ["1-stage1"]);
});

test("nothing close means no suggestion, so the caller lists what is known", () => {
  assert.equal(didYouMean("9-nope", STAGES), undefined);
  assert.equal(didYouMean("", STAGES), undefined);
  assert.equal(didYouMean("until", ["help", "verbose"]), undefined);
});
