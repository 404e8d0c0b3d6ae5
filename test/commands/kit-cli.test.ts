// `zilchboot kit` as users meet it: export from one images directory and import into another
// through the CLI (fixture bytes locked in a temp recipes copy, so nothing is built), a tampered
// kit as exactly one stderr line with exit 1, and usage errors with exit 2.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { after, before, test } from "node:test";
import * as tar from "tar";
import { packKit } from "../../src/kit/kit-archive.js";
import { saveKitLock, type KitLock } from "../../src/kit/kit-lock.js";
import { kitInputs } from "../../src/provision.js";
import { sha256File } from "../../src/sha256.js";
import { zilchboot as runCli } from "../helpers/child-env.js";
import { testHome, type TestHome } from "../helpers/home.js";
import { ALL_ARTEFACTS, writeFixtureImages } from "../helpers/kit-fixtures.js";

let place: TestHome;
let lock: KitLock;
let kit: string;

function env(images: string): Record<string, string> {
  return { ...place.env, ZILCHBOOT_IMAGES: images, ZILCHBOOT_DOWNLOADS: path.join(place.home, "..", "cache") };
}

function zilchboot(args: string[], images: string) {
  return runCli(args, env(images));
}

before(async () => {
  place = await testHome("kit-cli");
  // The recipes copy has this checkout's pins and so its inputs; the lock names fixture bytes.
  lock = await writeFixtureImages(path.join(place.home, "linux-images"), ALL_ARTEFACTS, { inputs: kitInputs });
  await saveKitLock(path.join(place.recipes, "kit-lock.json"), lock.artefacts);
  kit = path.join(place.home, "kit.tar.gz");
});

after(async () => {
  await place.remove();
});

test("kit export on the machine that has the locked images, kit import on another: same bytes", async () => {
  const exported = await zilchboot(["kit", "export", kit], path.join(place.home, "linux-images"));
  assert.equal(exported.exitCode, 0, exported.stderr);
  assert.equal(exported.stdout.trim(), `${await sha256File(kit)}  ${kit}`);

  const images = path.join(place.home, "mac-images");
  const imported = await zilchboot(["kit", "import", kit], images);
  assert.equal(imported.exitCode, 0, imported.stderr);
  assert.match(imported.stdout, /^kernel-i386 .*i386\/bzImage/m);
  assert.match(imported.stdout, /^seed-x86_64 .*tcc-seed$/m);
  assert.equal(await sha256File(path.join(images, "vmlinux")), lock.artefacts["kernel-x86_64"]!.files.vmlinux!.sha256);
  assert.equal(await sha256File(path.join(images, "i386", "tcc-seed")), lock.artefacts["seed-i386"]!.files["tcc-seed"]!.sha256);

  // --arch narrows an export to one architecture.
  const only = await zilchboot(["kit", "export", path.join(place.home, "i386.tar.gz"), "--arch", "i386"], images);
  assert.equal(only.exitCode, 0, only.stderr);
  const names: string[] = [];
  await tar.t({ file: path.join(place.home, "i386.tar.gz"), onReadEntry: (entry) => names.push(entry.path) });
  assert.deepEqual(names, ["kit.json", "i386/bzImage", "i386/kernel.config", "i386/tcc-seed", "i386/vmlinux"]);
});

test("kit import of a tampered kit prints one line naming the file and both sha256s, exits 1, installs nothing", async () => {
  const unpacked = path.join(place.home, "tamper");
  await fs.mkdir(unpacked);
  await tar.x({ file: kit, cwd: unpacked });
  await fs.appendFile(path.join(unpacked, "x86_64", "tcc-seed"), "backdoor");
  const manifest = JSON.parse(await fs.readFile(path.join(unpacked, "kit.json"), "utf8")) as unknown;
  const tampered = path.join(place.home, "tampered.tar.gz");
  const members = (await fs.readdir(unpacked, { recursive: true })).filter((name) => name.includes("/")).map((name) => ({ name, from: path.join(unpacked, name), executable: name.endsWith("tcc-seed") }));
  await packKit(tampered, manifest, members);

  const images = path.join(place.home, "tampered-images");
  const result = await zilchboot(["kit", "import", tampered], images);
  assert.equal(result.exitCode, 1);
  const lines = result.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, result.stderr);
  const want = lock.artefacts["seed-x86_64"]!.files["tcc-seed"]!.sha256;
  assert.match(lines[0]!, new RegExp(`^zilchboot: kit .*tampered\\.tar\\.gz: x86_64/tcc-seed has sha256 [0-9a-f]{64}, .*kit-lock\\.json expects ${want}; nothing was installed; `));
  assert.deepEqual(await fs.readdir(images), []);
});

test("kit usage errors exit 2 with one line", async () => {
  const images = path.join(place.home, "usage-images");
  for (const [args, pattern] of [
    [["kit"], /kit needs an action: export FILE, import FILE or lock/],
    [["kit", "frob"], /unknown kit action "frob" \(known: export, import, lock\)/],
    [["kit", "import"], /kit import takes one FILE/],
    [["kit", "lock", "--only", "initrd"], /--only must be kernel or seed, got "initrd"/],
    [["kit", "export", "x.tar.gz", "--arch", "arm"], /--arch must be one of x86_64, i386, got "arm"/],
    // A mistyped path is named as missing, not taken for a truncated kit.
    [["kit", "import", path.join(place.home, "no-such-kit.tar.gz")], /^zilchboot: kit import: \S+no-such-kit\.tar\.gz does not exist; pass the path of a kit \.tar\.gz/],
    [["kit", "export", path.join(place.home, "no-such-dir", "kit.tar.gz")], /^zilchboot: kit export: \S+no-such-dir is not a folder to write kit\.tar\.gz into/],
  ] as const) {
    const result = await zilchboot([...args], images);
    assert.equal(result.exitCode, 2, `${args.join(" ")}: ${result.stderr}`);
    assert.equal(result.stderr.trimEnd().split("\n").length, 1, result.stderr);
    assert.match(result.stderr, pattern);
  }
  await assert.rejects(fs.access(images), "no usage error creates the images folder");
  const help = await zilchboot(["kit", "--help"], images);
  assert.equal(help.exitCode, 0);
  assert.match(help.stdout, /kit import FILE/);
});
