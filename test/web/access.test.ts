import assert from "node:assert/strict";
import { test } from "node:test";
import { checkAccess, newToken, tokenMatches } from "../../src/web/access.js";

const PORT = 41234;
const TOKEN = "abcdefghijklmnopqrstuv";
const good = { host: `127.0.0.1:${PORT}`, origin: `http://127.0.0.1:${PORT}`, token: TOKEN, websocket: true };

test("tokens are random, URL-safe and compared exactly", () => {
  const a = newToken();
  assert.match(a, /^[A-Za-z0-9_-]{22}$/);
  assert.notEqual(a, newToken());
  assert.ok(tokenMatches(TOKEN, TOKEN));
  assert.ok(!tokenMatches(TOKEN, TOKEN.slice(1)));
  assert.ok(!tokenMatches(TOKEN, TOKEN.toUpperCase()));
  assert.ok(!tokenMatches(TOKEN, null));
});

test("our own page with the token is let in", () => {
  assert.deepEqual(checkAccess(good, PORT, TOKEN), { ok: true });
  // Top-level navigations carry no Origin header.
  assert.deepEqual(checkAccess({ ...good, origin: undefined, websocket: false }, PORT, TOKEN), { ok: true });
});

test("a wrong token, origin or Host is refused with 403", () => {
  for (const facts of [
    { ...good, token: "nope" },
    { ...good, token: null },
    { ...good, origin: "http://localhost:41234" },
    { ...good, origin: "http://127.0.0.1:9" },
    { ...good, origin: undefined },
    { ...good, host: `evil.example:${PORT}` },
    { ...good, host: undefined },
  ]) {
    const verdict = checkAccess(facts, PORT, TOKEN);
    assert.equal(verdict.ok, false, JSON.stringify(facts));
    assert.equal(!verdict.ok && verdict.status, 403);
  }
});
