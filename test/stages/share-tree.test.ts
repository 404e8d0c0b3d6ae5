// The root as a MetaTree serves, over 9p, exactly what assembleShare links into a host directory;
// a dependency's exec bits and symlinks come from its manifest, so a store on a file system that
// lost them (NTFS) still serves them.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { after, test } from "node:test";
import { packOutput } from "../../src/cache/output-archive.js";
import { assembleShare } from "../../src/stages/share.js";
import { assembleShareTree } from "../../src/stages/share-tree.js";
import { captureOutput } from "../../src/store/manifest.js";
import { HostShare } from "../../src/vm/p9/host-share.js";
import { P9Client } from "../helpers/p9-client.js";
import { tempDir } from "../helpers/provisioned.js";

const scratch = await tempDir("share-tree");
after(() => fs.rm(scratch, { recursive: true, force: true }));

/** Every entry the guest sees: path, mode, and the link target or the bytes. */
async function snapshot(c: P9Client): Promise<string[]> {
  const seen: string[] = [];
  let fid = 100;
  const visit = async (names: string[]): Promise<void> => {
    for (const name of (await c.list(names)).sort()) {
      const here = [...names, name];
      const id = fid++;
      await c.walk(0, id, here);
      const mode = await c.mode(id);
      const type = mode & 0o170000;
      const what = type === 0o040000 ? "dir" : type === 0o120000 ? `-> ${await c.readlink(id)}` : JSON.stringify(await c.readFile(here));
      seen.push(`${here.join("/")} ${(mode & 0o7777).toString(8)} ${what}`);
      await c.clunk(id);
      if (type === 0o040000) await visit(here);
    }
  };
  await c.attach();
  await visit([]);
  return seen;
}

test("the root tree serves what assembleShare links, modes and symlinks from the manifest", async () => {
  const recipe = path.join(scratch, "recipe");
  await fs.mkdir(path.join(recipe, "files"), { recursive: true });
  await fs.writeFile(path.join(recipe, "stage.json"), "{}");
  await fs.writeFile(path.join(recipe, "build.sh"), "#!/bin/sh\n", { mode: 0o755 });
  await fs.writeFile(path.join(recipe, "files", "a.patch"), "patch\n", { mode: 0o644 });
  await fs.symlink("a.patch", path.join(recipe, "files", "link"));
  const lib = path.join(scratch, "lib");
  await fs.mkdir(path.join(lib, "phases"), { recursive: true });
  await fs.writeFile(path.join(lib, "phases", "unpack.sh"), "unpack\n", { mode: 0o644 });
  const guest = path.join(scratch, "guest");
  await fs.mkdir(guest);
  await fs.writeFile(path.join(guest, "zsys.h"), "/* zsys */\n", { mode: 0o644 });
  const seed = path.join(scratch, "tcc-seed");
  await fs.writeFile(seed, "ELF seed\n", { mode: 0o755 });
  const tarball = path.join(scratch, "src-1.0.tar.gz");
  await fs.writeFile(tarball, "tarball bytes", { mode: 0o644 });
  const unpacked = path.join(scratch, "unpacked");
  await fs.mkdir(path.join(unpacked, "src-2.0"), { recursive: true });
  await fs.writeFile(path.join(unpacked, "src-2.0", "configure"), "#!/bin/sh\n", { mode: 0o755 });
  const dependency = path.join(scratch, "dep-out");
  await fs.mkdir(path.join(dependency, "bin"), { recursive: true });
  await fs.writeFile(path.join(dependency, "bin", "tcc"), "tcc\n", { mode: 0o755 });
  await fs.symlink("tcc", path.join(dependency, "bin", "cc"));
  await fs.writeFile(path.join(dependency, "bin", "xt_CONNMARK.h"), "upper\n", { mode: 0o644 });
  await fs.writeFile(path.join(dependency, "bin", "xt_connmark.h"), "lower\n", { mode: 0o644 });
  const { manifest } = await captureOutput(dependency);

  const contents = {
    seed, recipeDir: recipe, guestDir: guest,
    recipeLib: { dir: lib, entries: ["phases/unpack.sh"] },
    sources: { "src-1.0.tar.gz": tarball, "src-2.0": path.join(unpacked, "src-2.0") },
  };
  const { rootDir } = await assembleShare(path.join(scratch, "run"), { ...contents, dependencies: { "1-stage1": dependency } });
  const hostView = await snapshot(new P9Client(new HostShare(rootDir, true)));
  const tree = await assembleShareTree({ ...contents, dependencies: { "1-stage1": { outDir: dependency, manifest } } });
  const treeView = await snapshot(new P9Client(new HostShare(tree, true)));
  assert.deepEqual(treeView, hostView);
  assert.ok(treeView.includes("store/1-stage1/bin/tcc 755 \"tcc\\n\""), treeView.join("\n"));
  assert.ok(treeView.includes("store/0-tcc-seed 555 \"ELF seed\\n\""));
  assert.ok(!treeView.some((line) => line.startsWith("recipe/stage.json")));

  // The store lost what NTFS cannot hold: the exec bit and the symlink. The manifest still has them.
  await fs.chmod(path.join(dependency, "bin", "tcc"), 0o644);
  await fs.rm(path.join(dependency, "bin", "cc"));
  const again = await snapshot(new P9Client(new HostShare(await assembleShareTree({ ...contents, dependencies: { "1-stage1": { outDir: dependency, manifest } } }), true)));
  assert.deepEqual(again, hostView);
});

test("a dependency served from its canonical tar looks the same as from its store entry", async () => {
  const dependency = path.join(scratch, "tar-out");
  const long = "d".repeat(120);
  await fs.mkdir(path.join(dependency, "bin", long), { recursive: true });
  await fs.writeFile(path.join(dependency, "bin", "tcc"), "tcc\n".repeat(300), { mode: 0o755 });
  await fs.symlink("tcc", path.join(dependency, "bin", "cc"));
  await fs.symlink("t".repeat(150), path.join(dependency, "bin", "long-link"));
  await fs.writeFile(path.join(dependency, "bin", long, "naïve-" + "f".repeat(110)), "deep\n");
  await fs.writeFile(path.join(dependency, "empty"), "");
  const { manifest } = await captureOutput(dependency);
  const archive = path.join(scratch, "output.tar");
  await packOutput(dependency, archive);
  const recipe = path.join(scratch, "recipe-tar");
  await fs.mkdir(recipe);
  const fromEntry = await snapshot(new P9Client(new HostShare(await assembleShareTree({ recipeDir: recipe, sources: {}, dependencies: { d: { outDir: dependency, manifest } } }), true)));
  const fromTar = await snapshot(new P9Client(new HostShare(await assembleShareTree({ recipeDir: recipe, sources: {}, dependencies: { d: { archive } } }), true)));
  assert.deepEqual(fromTar, fromEntry);
  assert.ok(fromTar.includes("store/d/bin/cc 777 -> tcc"), fromTar.join("\n"));
});

test("a store output whose files do not match its manifest is refused by name", async () => {
  const dependency = path.join(scratch, "damaged");
  await fs.mkdir(dependency);
  await fs.writeFile(path.join(dependency, "f"), "12345");
  const { manifest } = await captureOutput(dependency);
  await fs.writeFile(path.join(dependency, "f"), "1");
  const recipe = path.join(scratch, "recipe-2");
  await fs.mkdir(recipe);
  await assert.rejects(assembleShareTree({ recipeDir: recipe, sources: {}, dependencies: { d: { outDir: dependency, manifest } } }), /does not match its manifest at f \(1 bytes, manifest: 5 bytes\)/);
});
