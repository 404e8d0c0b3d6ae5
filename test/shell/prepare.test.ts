// What a shell says before it builds: prepareShell's notice, without building or booting anything.
import assert from "node:assert/strict";
import { test } from "node:test";
import { shellBuildNotice } from "../../src/shell/prepare.js";
import type { Verdict } from "../../src/stages/plan.js";

const step = (name: string, verdict: Verdict) => ({ stage: { name }, verdict });

test("a shell names the inputs it must build first", () => {
  const steps = [step("1-stage1", "build"), step("2a0-make", "unknown-until-inputs-built"), step("2a1-binutils", "build")];
  assert.equal(shellBuildNotice(steps, "2a1-binutils", "before"),
    "zilchboot shell 2a1-binutils: the store lacks 1-stage1, 2a0-make; building these 2 first, as 'zilchboot build' would (Ctrl-C stops)");
});

test("a shell whose inputs are all stored says nothing; with --after the stage itself counts", () => {
  const steps = [step("1-stage1", "reuse"), step("2a0-make", "build")];
  assert.equal(shellBuildNotice(steps, "2a0-make", "before"), undefined);
  assert.equal(shellBuildNotice(steps, "2a0-make", "after"),
    "zilchboot shell 2a0-make: the store lacks 2a0-make; building it first, as 'zilchboot build' would (Ctrl-C stops)");
});
