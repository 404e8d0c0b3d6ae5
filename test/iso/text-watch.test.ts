// Waiting for a console text (--until) in a byte stream.
import assert from "node:assert/strict";
import { test } from "node:test";
import { TextWatch } from "../../src/iso/text-watch.js";

const enc = (text: string) => new TextEncoder().encode(text);

test("a text split across chunks is found in the chunk that completes it", () => {
  const watch = new TextWatch("login:");
  assert.equal(watch.feed(enc("Debian GNU/Linux 12 host ttyS0\r\n\r\nhost lo")), false);
  assert.equal(watch.feed(enc("gi")), false);
  assert.equal(watch.feed(enc("n: ")), true);
  assert.equal(watch.feed(enc("more")), true, "stays found");
});

test("a text on a line that never ends is found; a different text is not", () => {
  assert.equal(new TextWatch("# ").feed(enc("\r\n/ # ")), true);
  const watch = new TextWatch("login:");
  assert.equal(watch.feed(enc("logout\r\nlogin")), false);
  assert.equal(watch.feed(enc(" incorrect")), false);
});

test("a multi-byte character split between chunks still matches", () => {
  const watch = new TextWatch("→ ok");
  const bytes = enc("step → ok");
  assert.equal(watch.feed(bytes.subarray(0, 6)), false);
  assert.equal(watch.feed(bytes.subarray(6)), true);
});

test("a one-character text works across many chunks", () => {
  const watch = new TextWatch("$");
  for (const chunk of ["a", "b", "c"]) assert.equal(watch.feed(enc(chunk)), false);
  assert.equal(watch.feed(enc("$")), true);
  assert.throws(() => new TextWatch(""), TypeError);
});
