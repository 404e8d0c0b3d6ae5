import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { ZilchError } from "../../src/errors.js";
import { repoRoot } from "../../src/paths.js";
import { findPin, loadPins } from "../../src/sources/pins.js";
import { tempDir } from "../fixtures/sources/helpers.js";

const good = {
  name: "musl",
  version: "1.2.5",
  file: "musl-1.2.5.tar.gz",
  sha256: "a".repeat(64),
  size: 10,
  urls: ["https://example.invalid/musl-1.2.5.tar.gz"],
  debianSource: { package: "musl", file: "musl_1.2.5.orig.tar.gz" },
};

async function loadWith(t: Parameters<typeof tempDir>[0], pin: Record<string, unknown>): Promise<unknown> {
  const file = path.join(await tempDir(t, "pins"), "sources.json");
  await writeFile(file, JSON.stringify({ sources: [pin] }));
  return loadPins(file).then(
    () => assert.fail("expected a PIN error"),
    (error: unknown) => error,
  );
}

function assertPinError(error: unknown, field: string): void {
  assert.ok(error instanceof ZilchError, `not a ZilchError: ${String(error)}`);
  assert.equal(error.code, "PIN");
  assert.match(error.message, /sources\.json/);
  assert.ok(error.message.includes(`"${field}"`), `message does not name ${field}: ${error.message}`);
}

test("a valid pin file loads", async (t) => {
  const file = path.join(await tempDir(t, "pins"), "sources.json");
  await writeFile(file, JSON.stringify({ sources: [good] }));
  const [pin] = await loadPins(file);
  assert.equal(pin.file, "musl-1.2.5.tar.gz");
  assert.deepEqual(pin.debianSource, good.debianSource);
});

test("missing sha256 is a PIN error naming the field", async (t) => {
  const rest: Partial<typeof good> = { ...good };
  delete rest.sha256;
  assertPinError(await loadWith(t, rest), "sha256");
});

test("non-hex or uppercase sha256 is a PIN error naming the field", async (t) => {
  assertPinError(await loadWith(t, { ...good, sha256: "z".repeat(64) }), "sha256");
  assertPinError(await loadWith(t, { ...good, sha256: "A".repeat(64) }), "sha256");
  assertPinError(await loadWith(t, { ...good, sha256: "a".repeat(63) }), "sha256");
});

test("other bad fields are named: size, file with a slash, typo'd key, bad debSha256", async (t) => {
  assertPinError(await loadWith(t, { ...good, size: -1 }), "size");
  assertPinError(await loadWith(t, { ...good, file: "../evil.tar.gz" }), "file");
  assertPinError(await loadWith(t, { ...good, debainSource: {} }), "debainSource");
  const rest: Partial<typeof good> = { ...good };
  delete rest.debianSource;
  const bin = { package: "linux-source-6.1", version: "6.1-1", debSha256: "nope", member: "usr/src/x.tar.xz" };
  assertPinError(await loadWith(t, { ...rest, debianBinary: bin }), "debSha256");
});

test("the real recipes/sources.json loads and every pin has a 64-hex sha256", async () => {
  const pins = await loadPins(path.join(repoRoot, "recipes", "sources.json"));
  assert.ok(pins.length >= 6, `only ${pins.length} pins`);
  for (const pin of pins) {
    assert.match(pin.sha256, /^[0-9a-f]{64}$/, pin.name);
    assert.ok(pin.size > 0, pin.name);
    assert.ok(pin.urls.length > 0 || pin.debianSource || pin.debianBinary, `${pin.name} has no provider`);
  }
  assert.equal(findPin(pins, "tinycc").debianSource?.package, "tcc");
});

test("findPin on an unknown name lists the known names", async () => {
  const pins = await loadPins(path.join(repoRoot, "recipes", "sources.json"));
  assert.throws(
    () => findPin(pins, "glibc"),
    (error: unknown) => error instanceof ZilchError && error.code === "PIN" && /glibc/.test(error.message) && /musl, busybox/.test(error.message),
  );
});

test("sources.json problems read like stage.json's: unknown keys list the known ones, comments are allowed", async (t) => {
  const error = await loadWith(t, { ...good, debainSource: {} });
  assert.ok(error instanceof ZilchError);
  assert.match(error.message, /sources\.json: sources\[0\] \(musl\): unknown key "debainSource" \(known: name, version, file, sha256, size, urls, debianSource, debianBinary\)$/);
  assert.match(error.hint ?? "", /sources\.schema\.json/);
  const nested = await loadWith(t, { ...good, debianSource: { package: "musl", file: "x.tar.gz", pakage: "y" } });
  assert.ok(nested instanceof ZilchError);
  assert.match(nested.message, /sources\[0\]\.debianSource: unknown key "pakage" \(known: package, file\)$/);
  const file = path.join(await tempDir(t, "pins"), "sources.json");
  await writeFile(file, JSON.stringify({ $schema: "schema/sources.schema.json", $comment: "x", sources: [{ ...good, $note: "kept out of the pin" }] }));
  const [pin] = await loadPins(file);
  assert.equal((pin as unknown as Record<string, unknown>).$note, undefined);
});

test("a pin cannot name both Debian providers, and two pins cannot share a name or file", async (t) => {
  const both = await loadWith(t, { ...good, debianBinary: { package: "pkg", version: "1", debSha256: "b".repeat(64), member: "usr/x" } });
  assert.ok(both instanceof ZilchError);
  assert.match(both.message, /sources\[0\] \(musl\): .*debianSource or debianBinary, not both/);
  const file = path.join(await tempDir(t, "pins"), "sources.json");
  await writeFile(file, JSON.stringify({ sources: [good, { ...good, name: "musl2" }] }));
  await assert.rejects(loadPins(file), (e: unknown) => e instanceof ZilchError && /sources\.json: two pins share the file musl-1\.2\.5\.tar\.gz$/.test(e.message));
});

test("a bad .deb member path is refused", async (t) => {
  const rest: Partial<typeof good> = { ...good };
  delete rest.debianSource;
  for (const member of ["/abs/x", "usr/../x", "usr//x", "./x"]) {
    assertPinError(await loadWith(t, { ...rest, debianBinary: { package: "pkg", version: "1", debSha256: "b".repeat(64), member } }), "member");
  }
});
