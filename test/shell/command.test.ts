import assert from "node:assert/strict";
import { test } from "node:test";
import { ZilchError } from "../../src/errors.js";
import { shellWords } from "../../src/shell/command.js";

test("shell defaults to the stage's inputs only, in this terminal", () => {
  assert.deepEqual(shellWords(["1-stage1"], {}, true), { stage: "1-stage1", mode: "before", rerun: false, web: false });
  // The web shell needs no terminal.
  assert.deepEqual(shellWords(["2a0-make"], { after: true, web: true }, false), { stage: "2a0-make", mode: "after", rerun: false, web: true });
  assert.deepEqual(shellWords(["2a0-make"], { rerun: true, before: true }, true), { stage: "2a0-make", mode: "before", rerun: true, web: false });
});

test("shell refuses contradictory or missing words with a usage error", () => {
  for (const [positionals, options, message] of [
    [[], {}, /one stage, got none/],
    [["a", "b"], {}, /one stage, got a b/],
    [["a"], { before: true, after: true }, /exclude each other/],
    [["a"], { rerun: true, after: true }, /--rerun/],
    [["a"], { runner: "native" }, /needs a VM/],
  ] as const) {
    assert.throws(() => shellWords([...positionals], options, true), (e: unknown) => e instanceof ZilchError && e.code === "USAGE" && message.test(e.message));
  }
});

test("shell without a terminal is a usage error that points at --web", () => {
  assert.throws(() => shellWords(["1-stage1"], {}, false), (e: unknown) => e instanceof ZilchError && e.code === "USAGE" && /needs a terminal/.test(e.message) && /--web/.test(e.hint ?? ""));
});
