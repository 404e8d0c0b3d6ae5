// The Ctrl-A escape of the raw serial passthrough.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ConsoleEscape } from "../../src/iso/console-escape.js";

const bytes = (text: string) => Uint8Array.from(Buffer.from(text, "latin1"));

test("ordinary keys, Ctrl-C included, go to the guest unchanged", () => {
  const result = new ConsoleEscape().feed(bytes("ls -l\r\x03\x1b[A"));
  assert.deepEqual(Buffer.from(result.forward).toString("latin1"), "ls -l\r\x03\x1b[A");
  assert.deepEqual(result.commands, []);
});

test("Ctrl-A x quits, in either case, and nothing of it reaches the guest", () => {
  const escape = new ConsoleEscape();
  const result = escape.feed(bytes("ab\x01xcd"));
  assert.equal(Buffer.from(result.forward).toString("latin1"), "abcd");
  assert.deepEqual(result.commands, ["quit"]);
  assert.deepEqual(escape.feed(bytes("\x01X")).commands, ["quit"]);
});

test("Ctrl-A Ctrl-A sends one Ctrl-A; Ctrl-A then another key asks for help and drops the key", () => {
  const escape = new ConsoleEscape();
  assert.deepEqual([...escape.feed(bytes("\x01\x01")).forward], [0x01]);
  const help = escape.feed(bytes("\x01hq"));
  assert.deepEqual(help.commands, ["help"]);
  assert.equal(Buffer.from(help.forward).toString("latin1"), "q");
});

test("an escape split across two reads still works", () => {
  const escape = new ConsoleEscape();
  const first = escape.feed(bytes("a\x01"));
  assert.equal(Buffer.from(first.forward).toString("latin1"), "a");
  assert.deepEqual(first.commands, []);
  assert.deepEqual(escape.feed(bytes("x")).commands, ["quit"]);
});
