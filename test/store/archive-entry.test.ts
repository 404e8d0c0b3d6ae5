// Store entries kept as their canonical tar (ZILCHBOOT_STORE=archive): the tar written from a
// manifest is the cache's blob byte for byte, its identity is read back from the tar alone, a tar
// that is not the output it was written for never reaches the store, and entries are found, listed
// and converted as archives.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { ZilchError } from "../../src/errors.js";
import { packOutput } from "../../src/cache/output-archive.js";
import { adoptArchive, archiveIdentity, writeEntryArchive } from "../../src/store/archive-entry.js";
import { captureOutput } from "../../src/store/manifest.js";
import { collectGarbage } from "../../src/store/gc.js";
import { recordInLock } from "../../src/store/lock.js";
import { commitEntry, findEntry, listEntries, type BuildRecord } from "../../src/store/store.js";
import { entryTree, parseStore, resolveStore } from "../../src/store/store-mode.js";
import { tempHome } from "../helpers/store-entries.js";

/** A tree with what tends to break tar writers: exec bits, symlinks (one long, one dangling), empty
 *  files and directories, names past ustar's 100 bytes, non-ASCII names, sizes at block edges. */
async function awkwardTree(root: string): Promise<void> {
  const long = `${"d".repeat(60)}/${"e".repeat(70)}`;
  const files: Record<string, string | Buffer> = {
    "bin/tool": "#!/bin/sh\necho tool\n",
    "lib/empty": "",
    "lib/block": Buffer.alloc(512, 7),
    "lib/big": Buffer.alloc((1 << 20) + 1, 3),
    [`${long}/${"f".repeat(90)}.h`]: "long\n",
    "share/naïve/Ünïcödé.txt": "utf-8\n",
    "include/xt_CONNMARK.h": "upper\n",
    "include/xt_connmark.h": "lower\n",
    // Past ustar's prefix + name split: only a pax header can hold it.
    [`${"x".repeat(120)}/${"y".repeat(150)}`]: "pax\n",
  };
  for (const [rel, body] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    await fs.writeFile(path.join(root, rel), body);
  }
  await fs.chmod(path.join(root, "bin/tool"), 0o755);
  await fs.mkdir(path.join(root, "empty-dir"));
  await fs.symlink("tool", path.join(root, "bin/cc"));
  await fs.symlink(`../${long}/${"f".repeat(90)}.h`.padEnd(10, "x"), path.join(root, "lib/long-link"));
  await fs.symlink("nowhere", path.join(root, "lib/dangling"));
}

const reader = (root: string) => (rel: string) => fs.open(path.join(root, ...rel.split("/")), "r");

test("an archive written from a manifest is byte for byte the tar packOutput writes for the same tree", async (t) => {
  const dir = await tempHome(t, "archive-bytes");
  for (const [name, fill] of [["awkward", awkwardTree], ["empty", async () => {}]] as const) {
    const root = path.join(dir, name);
    await fs.mkdir(root);
    await fill(root);
    const identity = await captureOutput(root);
    const packed = await packOutput(root, path.join(dir, `${name}.packed.tar`));
    const stored = await writeEntryArchive(path.join(dir, `${name}-entry`), identity, reader(root));
    const written = await fs.readFile(path.join(dir, `${name}-entry`, "out.tar"));
    assert.ok(written.equals(await fs.readFile(path.join(dir, `${name}.packed.tar`))), `${name}: the bytes differ from packOutput's`);
    assert.equal(written.length, packed.size);
    assert.equal(stored.sha256, identity.sha256);
    assert.deepEqual((await archiveIdentity(path.join(dir, `${name}.packed.tar`))).manifest, identity.manifest, `${name}: the identity read from the tar`);
  }
});

test("an archive whose manifest is not the output's is refused, and nothing is left in the staging entry", async (t) => {
  const dir = await tempHome(t, "archive-refused");
  const root = path.join(dir, "tree");
  await awkwardTree(root);
  const identity = await captureOutput(root);
  // Same sizes, other bytes: only the content hashes can tell.
  const lying = async (rel: string) => {
    const handle = await fs.open(path.join(root, ...rel.split("/")), "r");
    return {
      read: async (buffer: Uint8Array, offset: number, length: number, position: number) => {
        const got = await handle.read(buffer, offset, length, position);
        if (rel === "bin/tool" && got.bytesRead > 0) buffer[offset] ^= 1;
        return got;
      },
      close: () => handle.close(),
    };
  };
  const staging = path.join(dir, "entry");
  await assert.rejects(writeEntryArchive(staging, identity, lying), (error: unknown) => {
    assert.ok(error instanceof ZilchError);
    assert.match(error.message, /out\.tar holds output [0-9a-f]{64}, expected [0-9a-f]{64}/);
    assert.ok(error.details.some((line) => /bin\/tool: content/.test(line)), error.details.join("\n"));
    return true;
  });
  assert.deepEqual(await fs.readdir(staging), [], "no out.tar, no partial tar");
  // A pulled blob naming another output is refused the same way (and not moved in).
  const blob = path.join(dir, "blob.tar");
  await packOutput(root, blob);
  await assert.rejects(adoptArchive(staging, blob, "0".repeat(64)), /expected 0{64}/);
  assert.deepEqual(await fs.readdir(staging), []);
});

function record(stage: string, output: string): BuildRecord {
  return { stage, inputHash: "a".repeat(64), inputs: {}, outputSha256: output, outputBytes: 0, outputFiles: 0, engine: "test", kernel: null, seedSha256: null, wallMs: 0, initOutputMs: null, builtAt: new Date(0).toISOString() };
}

test("an archive entry is committed, found and listed as an archive; a forced rebuild as a tree replaces it", async (t) => {
  const home = await tempHome(t, "archive-store");
  const root = path.join(home, "tree");
  await awkwardTree(root);
  const identity = await captureOutput(root);
  const staging = path.join(home, "runs", "one", "entry");
  await writeEntryArchive(staging, identity, reader(root));
  const committed = await commitEntry(home, staging, record("2x-thing", identity.sha256));
  assert.equal(committed.archive, path.join(committed.dir, "out.tar"));
  assert.deepEqual((await fs.readdir(committed.dir)).sort(), ["out.tar", "record.json"]);
  const found = await findEntry(home, "2x-thing", "a".repeat(64));
  assert.equal(found?.archive, committed.archive);
  assert.deepEqual((await listEntries(home)).map((e) => e.archive), [committed.archive]);
  assert.throws(() => entryTree(found!, "--runner native", "or use --share-fs memory"), (error: unknown) => {
    assert.ok(error instanceof ZilchError);
    assert.equal(error.line, `store entry ${path.basename(found!.dir)} is kept as an archive (${found!.archive}); --runner native needs it as a directory; rebuild it as one with ZILCHBOOT_STORE=tree zilchboot build 2x-thing --force, or use --share-fs memory`);
    return true;
  });
  // Same output kept as a tree: without --force the archive stays; with it the tree replaces it.
  const asTree = async (name: string) => {
    const tree = path.join(home, "runs", name, "entry");
    await fs.cp(root, path.join(tree, "out"), { recursive: true, verbatimSymlinks: true });
    return tree;
  };
  assert.equal((await commitEntry(home, await asTree("two"), record("2x-thing", identity.sha256))).archive, committed.archive);
  const replaced = await commitEntry(home, await asTree("three"), record("2x-thing", identity.sha256), true);
  assert.equal(replaced.archive, null);
  assert.equal(entryTree(replaced, "zilchboot shell"), path.join(replaced.dir, "out"));
  assert.deepEqual((await fs.readdir(replaced.dir)).sort(), ["out", "record.json"]);
});

test("gc keeps an archive entry the lock names and removes one it does not", async (t) => {
  const home = await tempHome(t, "archive-gc");
  const root = path.join(home, "tree");
  await awkwardTree(root);
  const identity = await captureOutput(root);
  for (const stage of ["2x-kept", "2x-gone"]) {
    const staging = path.join(home, "runs", stage, "entry");
    await writeEntryArchive(staging, identity, reader(root));
    await commitEntry(home, staging, record(stage, identity.sha256));
  }
  const lockFile = path.join(home, "lock.json");
  await recordInLock(lockFile, "2x-kept", identity.sha256, null);
  const report = await collectGarbage({ workDir: home, lockFile });
  assert.deepEqual(report.removedEntries.map((dir) => path.basename(dir)), ["2x-gone-aaaaaaaaaaaaaaaa"]);
  assert.deepEqual((await listEntries(home)).map((e) => [e.record.stage, e.archive !== null]), [["2x-kept", true]]);
});

test("ZILCHBOOT_STORE: auto is archive on Windows and macOS, tree elsewhere; other values are refused", () => {
  assert.equal(resolveStore(undefined, "linux"), "tree");
  assert.equal(resolveStore("auto", "win32"), "archive");
  assert.equal(resolveStore("auto", "darwin"), "archive");
  assert.equal(resolveStore("tree", "darwin"), "tree");
  assert.equal(resolveStore("archive", "linux"), "archive");
  assert.throws(() => parseStore("tar"), /ZILCHBOOT_STORE must be auto, tree, archive; got "tar"/);
});
