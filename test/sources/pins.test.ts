import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { ZilchError } from "../../src/errors.js";
import { repoRoot } from "../../src/paths.js";
import { alternativePin, archivePin, findPin, loadPins } from "../../src/sources/pins.js";
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
    const archive = pin.insideArchive;
    const viaArchive = archive !== undefined && (archive.urls.length > 0 || archive.debianSource !== undefined);
    assert.ok(pin.urls.length > 0 || pin.debianSource || pin.debianBinary || viaArchive, `${pin.name} has no provider`);
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
  assert.match(error.message, /sources\.json: sources\[0\] \(musl\): unknown key "debainSource" \(known: name, version, file, sha256, size, urls, debianSource, debianBinary, insideArchive, unpacksTo, alternatives\)$/);
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

// GCC 10's shape: the pin's file, sha256 and size are the inner file's.
const inside = {
  name: "gcc-10",
  version: "10.2.0",
  file: "gcc-10.2.0-dfsg.tar.xz",
  sha256: "b".repeat(64),
  size: 77567280,
  insideArchive: {
    file: "gcc-10_10.2.1.orig.tar.xz",
    sha256: "c".repeat(64),
    size: 84547844,
    member: "gcc-10-10.2.0/gcc-10.2.0-dfsg.tar.xz",
    debianSource: { package: "gcc-10", file: "gcc-10_10.2.1.orig.tar.xz" },
  },
};

test("a pin inside an archive loads with the archive's own pin and providers", async (t) => {
  const file = path.join(await tempDir(t, "pins"), "sources.json");
  await writeFile(file, JSON.stringify({ sources: [good, inside] }));
  const [, pin] = await loadPins(file);
  assert.deepEqual(pin.urls, []);
  assert.deepEqual(pin.insideArchive, { ...inside.insideArchive, urls: [] });
  const archive = archivePin({ ...pin, insideArchive: pin.insideArchive! });
  assert.equal(archive.name, "gcc-10.insideArchive");
  assert.equal(archive.file, "gcc-10_10.2.1.orig.tar.xz");
  assert.deepEqual(archive.debianSource, inside.insideArchive.debianSource);
});

test("a bad insideArchive member path (absolute, .., empty parts) is a PIN error naming member", async (t) => {
  for (const member of ["/gcc-10-10.2.0/gcc.tar.xz", "../gcc.tar.xz", "gcc-10-10.2.0/../../gcc.tar.xz", "gcc-10-10.2.0//gcc.tar.xz", "./gcc.tar.xz", ""]) {
    const error = await loadWith(t, { ...inside, insideArchive: { ...inside.insideArchive, member } });
    assertPinError(error, "member");
    assert.match((error as ZilchError).message, /sources\[0\]\.insideArchive: "member" must be a plain relative path inside the archive/);
  }
});

test("insideArchive is checked like a pin: hashes, sizes, archive names, unknown keys", async (t) => {
  const archive = inside.insideArchive;
  assertPinError(await loadWith(t, { ...inside, insideArchive: { ...archive, sha256: "C".repeat(64) } }), "sha256");
  assertPinError(await loadWith(t, { ...inside, insideArchive: { ...archive, size: 0 } }), "size");
  assertPinError(await loadWith(t, { ...inside, insideArchive: { ...archive, file: "gcc.zip" } }), "file");
  assertPinError(await loadWith(t, { ...inside, insideArchive: { ...archive, urls: ["ftp://x/y"] } }), "urls[0]");
  const rest: Partial<typeof archive> = { ...archive };
  delete rest.member;
  assertPinError(await loadWith(t, { ...inside, insideArchive: rest }), "member");
  const typo = await loadWith(t, { ...inside, insideArchive: { ...archive, membr: "x" } });
  assert.ok(typo instanceof ZilchError);
  assert.match(typo.message, /insideArchive: unknown key "membr" \(known: file, sha256, size, member, urls, debianSource\)$/);
});

test("an archive cannot be the pin's own file, nor be pinned with other bytes elsewhere", async (t) => {
  const self = await loadWith(t, { ...inside, insideArchive: { ...inside.insideArchive, file: inside.file } });
  assert.ok(self instanceof ZilchError);
  assert.match(self.message, /sources\[0\] \(gcc-10\)\.insideArchive: "file" is the pin's own file gcc-10\.2\.0-dfsg\.tar\.xz$/);
  const file = path.join(await tempDir(t, "pins"), "sources.json");
  const other = { ...good, name: "gcc-orig", file: inside.insideArchive.file, sha256: "d".repeat(64) };
  await writeFile(file, JSON.stringify({ sources: [other, inside] }));
  await assert.rejects(loadPins(file), (e: unknown) => e instanceof ZilchError && /insideArchive: gcc-10_10\.2\.1\.orig\.tar\.xz is pinned with other bytes by pin "gcc-orig"$/.test(e.message));
  // The same bytes under the same name are fine: both pins share one cached archive.
  await writeFile(file, JSON.stringify({ sources: [{ ...other, sha256: inside.insideArchive.sha256, size: inside.insideArchive.size }, inside] }));
  assert.equal((await loadPins(file)).length, 2);
});

const withAlternative = {
  ...good,
  unpacksTo: "musl-1.2.5",
  alternatives: [{ file: "musl-1.2.5.tar.xz", sha256: "b".repeat(64), urls: ["https://example.invalid/musl-1.2.5.tar.xz"], unpacksTo: "musl-1.2.5", treeSha256: "c".repeat(64), drop: ["doc"] }],
};

test("a pin with alternatives loads them with empty drop and differs filled in", async (t) => {
  const file = path.join(await tempDir(t, "pins"), "sources.json");
  const snapshot = { file: "musl-snap.tar.gz", urls: ["https://example.invalid/snap.tar.gz"], unpacksTo: "*", treeSha256: "d".repeat(64), $note: "a snapshot" };
  await writeFile(file, JSON.stringify({ sources: [{ ...withAlternative, alternatives: [...withAlternative.alternatives, snapshot] }] }));
  const [pin] = await loadPins(file);
  assert.equal(pin.unpacksTo, "musl-1.2.5");
  assert.deepEqual(pin.alternatives, [
    { ...withAlternative.alternatives[0], differs: [] },
    { file: "musl-snap.tar.gz", urls: snapshot.urls, unpacksTo: "*", treeSha256: snapshot.treeSha256, drop: [], differs: [] },
  ]);
  const own = alternativePin(pin, 0, 1000);
  assert.deepEqual([own.name, own.file, own.sha256, own.size, own.sizeIsLimit], ["musl.alternatives[0]", "musl-1.2.5.tar.xz", "b".repeat(64), 1000, true]);
  assert.throws(() => alternativePin(pin, 1, 1000), /pins no sha256/);
});

test("alternatives are checked: unpacksTo on the pin, archive names, hashes, paths, size only with sha256", async (t) => {
  const [alt] = withAlternative.alternatives;
  const noRoot: Partial<typeof withAlternative> = { ...withAlternative };
  delete noRoot.unpacksTo;
  const missing = await loadWith(t, noRoot);
  assert.ok(missing instanceof ZilchError);
  assert.match(missing.message, /sources\[0\] \(musl\): "unpacksTo" is missing/);
  assertPinError(await loadWith(t, { ...withAlternative, unpacksTo: "a/b" }), "unpacksTo");
  assertPinError(await loadWith(t, { ...withAlternative, unpacksTo: ".." }), "unpacksTo");
  assertPinError(await loadWith(t, { ...withAlternative, unpacksTo: "*" }), "unpacksTo");
  const bad = (fields: Record<string, unknown>) => loadWith(t, { ...withAlternative, alternatives: [{ ...alt, ...fields }] });
  assertPinError(await bad({ file: "musl.zip" }), "file");
  assertPinError(await bad({ treeSha256: "X".repeat(64) }), "treeSha256");
  assertPinError(await bad({ urls: [] }), "urls");
  assertPinError(await bad({ unpacksTo: "a/*" }), "unpacksTo");
  assertPinError(await bad({ drop: ["../etc"] }), "drop[0]");
  assertPinError(await bad({ differs: ["/abs"] }), "differs[0]");
  const unhashed: Partial<typeof alt> = { ...alt };
  delete unhashed.sha256;
  const sized = await loadWith(t, { ...withAlternative, alternatives: [{ ...unhashed, size: 5 }] });
  assert.ok(sized instanceof ZilchError);
  assert.match(sized.message, /alternatives\[0\]: "sha256" is missing/);
  const differs = await loadWith(t, { ...withAlternative, alternatives: [{ ...unhashed, differs: ["README"] }] });
  assert.ok(differs instanceof ZilchError);
  assert.match(differs.message, /sources\[0\] \(musl\)\.alternatives\[0\]: "differs" needs "sha256"/);
  const twice = await bad({ differs: ["doc"] });
  assert.ok(twice instanceof ZilchError);
  assert.match(twice.message, /"differs" lists doc twice \(or in both drop and differs\)$/);
});

test("an alternative's file cannot be a pin's file, an archive's or another alternative's", async (t) => {
  const [alt] = withAlternative.alternatives;
  const self = await loadWith(t, { ...withAlternative, alternatives: [{ ...alt, file: "musl-1.2.5.tar.gz" }] });
  assert.ok(self instanceof ZilchError);
  assert.match(self.message, /alternatives\[0\]: "file" musl-1\.2\.5\.tar\.gz is already the file of pin "musl"$/);
  const file = path.join(await tempDir(t, "pins"), "sources.json");
  const other = { ...withAlternative, name: "musl2", file: "musl2.tar.gz" };
  await writeFile(file, JSON.stringify({ sources: [withAlternative, other] }));
  await assert.rejects(loadPins(file), (e: unknown) => e instanceof ZilchError && /sources\[1\] \(musl2\)\.alternatives\[0\]: "file" musl-1\.2\.5\.tar\.xz is already the file of alternatives\[0\] of "musl"$/.test(e.message));
});
