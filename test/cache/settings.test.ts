// --cache / --cache-push / ZILCHBOOT_CACHE_* → settings; credentials only from the environment.
import assert from "node:assert/strict";
import { test } from "node:test";
import { cacheSettings } from "../../src/cache/settings.js";
import { ZilchError } from "../../src/errors.js";

const recipesRoot = "/r";

function usageError(pattern: RegExp) {
  return (e: unknown) => e instanceof ZilchError && e.code === "USAGE" && pattern.test(e.line);
}

test("no flag and no variable is no cache; the variable stands in for the flag and the flag wins", () => {
  assert.equal(cacheSettings({ recipesRoot, env: {} }), null);
  assert.equal(cacheSettings({ recipesRoot, env: { ZILCHBOOT_CACHE_URL: "http://127.0.0.1:9/c" } })?.base.href, "http://127.0.0.1:9/c/");
  const both = cacheSettings({ url: "https://cache.example.org/z/", recipesRoot, env: { ZILCHBOOT_CACHE_URL: "http://127.0.0.1:9/" } })!;
  assert.equal(both.base.href, "https://cache.example.org/z/");
  assert.equal(both.push, false, "read-only by default");
  assert.equal(both.authorization, null);
  assert.equal(both.keysFile, "/r/cache-keys.json");
});

test("credentials come from the environment: basic or a bearer token, never both", () => {
  const basic = cacheSettings({ url: "http://127.0.0.1:9/", push: true, recipesRoot, env: { ZILCHBOOT_CACHE_USER: "ci", ZILCHBOOT_CACHE_PASSWORD: "pw" } })!;
  assert.equal(basic.authorization, `Basic ${Buffer.from("ci:pw").toString("base64")}`);
  assert.equal(cacheSettings({ url: "http://127.0.0.1:9/", recipesRoot, env: { ZILCHBOOT_CACHE_TOKEN: "tok" } })!.authorization, "Bearer tok");
  assert.throws(() => cacheSettings({ url: "http://127.0.0.1:9/", recipesRoot, env: { ZILCHBOOT_CACHE_TOKEN: "t", ZILCHBOOT_CACHE_USER: "u" } }), usageError(/either ZILCHBOOT_CACHE_TOKEN or/));
  assert.throws(() => cacheSettings({ url: "http://127.0.0.1:9/", recipesRoot, env: { ZILCHBOOT_CACHE_USER: "u" } }), usageError(/ZILCHBOOT_CACHE_PASSWORD is not set \(ZILCHBOOT_CACHE_USER is\); set both/));
  assert.equal(cacheSettings({ url: "http://127.0.0.1:9/", recipesRoot, env: { ZILCHBOOT_CACHE_SIGNING_KEY: "/k/key.pem" } })!.signingKeyFile, "/k/key.pem");
});

test("bad input is one usage error naming the problem and the fix", () => {
  assert.throws(() => cacheSettings({ url: "http://ci:secret@127.0.0.1:9/", recipesRoot, env: {} }), usageError(/^--cache must not carry credentials .*; drop the user:password@ part and set ZILCHBOOT_CACHE_USER and ZILCHBOOT_CACHE_PASSWORD/));
  assert.throws(() => cacheSettings({ url: "ftp://127.0.0.1/", recipesRoot, env: {} }), usageError(/^--cache expects an http:\/\/ or https:\/\/ URL, got "ftp:\/\/127\.0\.0\.1\/"/));
  assert.throws(() => cacheSettings({ url: "not a url", recipesRoot, env: {} }), usageError(/^--cache expects an http/));
  assert.throws(() => cacheSettings({ recipesRoot, env: { ZILCHBOOT_CACHE_URL: "127.0.0.1:8080" } }), usageError(/^ZILCHBOOT_CACHE_URL expects an http/));
  assert.throws(() => cacheSettings({ push: true, recipesRoot, env: {} }), usageError(/^--cache-push needs a cache: pass --cache URL or set ZILCHBOOT_CACHE_URL/));
  assert.throws(() => cacheSettings({ url: "http://127.0.0.1:9/?x=1", recipesRoot, env: {} }), usageError(/must not have a query/));
});
