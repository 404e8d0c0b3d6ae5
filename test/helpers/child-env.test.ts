// The tests' children see only what the test sets: a developer's ZILCHBOOT_* settings (a remote
// cache above all) stay out of them, whatever the shell that ran `npm test` exported.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import { test } from "node:test";
import { execa } from "execa";
import { cacheDir } from "../../src/paths.js";
import { childEnv, childOptions, zilchboot } from "./child-env.js";
import { tempDir } from "./home.js";

/** Sets `name` in this process's environment for the rest of test `t`. */
function parentSets(t: { after(fn: () => void): void }, name: string, value: string): void {
  const before = process.env[name];
  process.env[name] = value;
  t.after(() => {
    if (before === undefined) delete process.env[name];
    else process.env[name] = before;
  });
}

test("a child started with childOptions sees the host's PATH and what the test set, not the parent's ZILCHBOOT_CACHE_URL", async (t) => {
  parentSets(t, "ZILCHBOOT_CACHE_URL", "http://127.0.0.1:9/parent-cache/");
  parentSets(t, "ZILCHBOOT_STORE", "archive");
  const printed = await execa(process.execPath, ["-e", "process.stdout.write(JSON.stringify(process.env))"], childOptions({ ZILCHBOOT_HOME: "/test/home" }));
  const env = JSON.parse(printed.stdout) as Record<string, string>;
  assert.equal(env.ZILCHBOOT_CACHE_URL, undefined);
  assert.equal(env.ZILCHBOOT_STORE, undefined);
  assert.equal(env.ZILCHBOOT_HOME, "/test/home");
  assert.equal(env.PATH, process.env.PATH);
  // The only ZILCHBOOT_ names: the one the test set and the download cache the helper names.
  assert.deepEqual(Object.keys(env).filter((name) => name.startsWith("ZILCHBOOT_")).sort(), ["ZILCHBOOT_DOWNLOADS", "ZILCHBOOT_HOME"]);
  assert.equal(env.ZILCHBOOT_DOWNLOADS, cacheDir());
});

test("childEnv drops a name the test sets to undefined", () => {
  assert.equal("PATH" in childEnv({ PATH: undefined }), false);
  assert.equal(childEnv({ PATH: "/only/here" }).PATH, "/only/here");
});

test("the CLI started by zilchboot() ignores a ZILCHBOOT_CACHE_URL set in the parent, and obeys one the test sets", async (t) => {
  const home = await tempDir("child-env");
  t.after(() => fs.rm(home, { recursive: true, force: true }));
  // Not a URL: a CLI that reads it stops with a usage error (exit 2) before planning anything.
  parentSets(t, "ZILCHBOOT_CACHE_URL", "not a url");
  const plan = await zilchboot(["plan", "0-smoke"], { ZILCHBOOT_HOME: home });
  assert.equal(plan.exitCode, 0, plan.stderr);
  assert.match(plan.stdout, /^0-smoke +build /m);
  const told = await zilchboot(["plan", "0-smoke"], { ZILCHBOOT_HOME: home, ZILCHBOOT_CACHE_URL: "not a url" });
  assert.equal(told.exitCode, 2);
  assert.match(told.stderr, /ZILCHBOOT_CACHE_URL expects an http:\/\/ or https:\/\/ URL, got "not a url"/);
});
