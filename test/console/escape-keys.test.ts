import assert from "node:assert/strict";
import { test } from "node:test";
import { EscapeKeys } from "../../src/console/escape-keys.js";

const bytes = (s: string) => Buffer.from(s, "latin1");
const text = (b: Uint8Array) => Buffer.from(b).toString("latin1");

test("ordinary keys, Ctrl-C included, pass through unchanged", () => {
  const keys = new EscapeKeys();
  const result = keys.feed(bytes("ls\r\x03\x1b[A"));
  assert.equal(text(result.forward), "ls\r\x03\x1b[A");
  assert.deepEqual(result.actions, []);
});

test("Ctrl-] q quits, also when the two keys arrive in separate reads", () => {
  assert.deepEqual(new EscapeKeys().feed(bytes("\x1dq")).actions, ["quit"]);
  const keys = new EscapeKeys();
  const first = keys.feed(bytes("a\x1d"));
  assert.equal(text(first.forward), "a");
  assert.deepEqual(first.actions, []);
  const second = keys.feed(bytes("q"));
  assert.deepEqual(second.actions, ["quit"]);
  assert.equal(second.forward.length, 0);
});

test("bytes after a quit are not sent to the guest", () => {
  const result = new EscapeKeys().feed(bytes("x\x1dqrm -rf /\r"));
  assert.equal(text(result.forward), "x");
  assert.deepEqual(result.actions, ["quit"]);
});

test("Ctrl-] Ctrl-] sends one Ctrl-], Ctrl-] ? asks for help, Ctrl-] other sends both keys", () => {
  assert.equal(text(new EscapeKeys().feed(bytes("\x1d\x1d")).forward), "\x1d");
  assert.deepEqual(new EscapeKeys().feed(bytes("\x1d?")).actions, ["help"]);
  const other = new EscapeKeys().feed(bytes("\x1dx"));
  assert.equal(text(other.forward), "\x1dx");
  assert.deepEqual(other.actions, []);
});
