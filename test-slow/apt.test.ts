import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import { repoRoot } from "../src/paths.js";
import { ensureSource, sha256File } from "../src/sources/fetch.js";
import { findPin, loadPins } from "../src/sources/pins.js";
import { onPath } from "../src/sources/providers/apt.js";
import { filesUnder, tempDir } from "../test/fixtures/sources/helpers.js";

// Needs the network (apt-get source, ~700 KB), so `npm run test:slow`, not `npm test`: CI must pass
// offline. Deliberately not skipped when apt is missing: where it runs, it must prove something.
test("the tinycc pin arrives through apt-get source and verifies", async (t) => {
  assert.ok(
    await onPath("apt-get"),
    "apt-get is not on PATH: this test needs a Debian/Ubuntu host with deb-src entries (run scripts/setup-host.sh)",
  );
  const pin = findPin(await loadPins(path.join(repoRoot, "recipes", "sources.json")), "tinycc");
  const cacheDir = await tempDir(t, "apt");
  const lines: string[] = [];
  const started = Date.now();
  const got = await ensureSource(pin, { cacheDir, allowUpstream: false, log: (l) => lines.push(l) });
  t.diagnostic(`apt fetch of ${pin.file} took ${Date.now() - started} ms`);
  assert.equal(got, path.join(cacheDir, "sources", pin.file));
  assert.equal(await sha256File(got), pin.sha256);
  assert.deepEqual(await filesUnder(cacheDir), [path.join("sources", pin.file)], "temp files left behind");
  assert.ok(lines.some((l) => l.includes("from apt")), lines.join("\n"));
});
