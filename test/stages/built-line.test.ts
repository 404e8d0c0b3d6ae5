// The line a build prints per stage: the stage's own time (its record's), apart from the time the
// step spent providing a kernel, seed and sources; the engine in words.
import assert from "node:assert/strict";
import { test } from "node:test";
import { builtLine, engineWords } from "../../src/stages/chain.js";

test("the engine reads as words: no doubled backend name", () => {
  assert.equal(engineWords("native native (namespaces, not a VM)"), "native (namespaces, not a VM)");
  assert.equal(engineWords("qemu tcg,thread=multi"), "qemu (tcg,thread=multi)");
  assert.equal(engineWords("v86 v86"), "v86");
  assert.equal(engineWords("fake fake"), "fake");
  assert.equal(engineWords("qemu kvm"), "qemu (kvm)");
});

test("a stage's time is its own; a kernel build before it is shown apart", () => {
  const record = { wallMs: 176_600, engine: "qemu tcg,thread=multi" };
  assert.equal(builtLine("1-stage1", record, 782.9, 1200, "/l/1.log"),
    "1-stage1: built in 176.6s with qemu (tcg,thread=multi) (782.9s in all, with providing its kernel, seed and sources and storing its output); PID 1 output after 1200 ms; log /l/1.log");
  assert.equal(builtLine("2a0-make", { wallMs: 60_000, engine: "native native (namespaces, not a VM)" }, 60.4, null, "/l/2.log"),
    "2a0-make: built in 60.0s with native (namespaces, not a VM); PID 1 output after ? ms; log /l/2.log");
});
