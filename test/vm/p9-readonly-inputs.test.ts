// Attack class: changing a stage's inputs in place (issue 28 §1). The root share is hard links
// into the store (assembleShare) or a tree served from store entries and archives
// (assembleShareTree), so a write the server let through would change a locked output for every
// later stage. Each change a guest can ask for over 9p is refused with EROFS, and the store file
// keeps its bytes, size, mode, mtime and link count.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { after, test } from "node:test";
import { packOutput } from "../../src/cache/output-archive.js";
import { assembleShare } from "../../src/stages/share.js";
import { assembleShareTree } from "../../src/stages/share-tree.js";
import { captureOutput } from "../../src/store/manifest.js";
import { ERRNO } from "../../src/vm/p9/errno.js";
import { HostShare } from "../../src/vm/p9/host-share.js";
import { P9 } from "../../src/vm/p9/wire.js";
import { O_RDONLY, O_RDWR, O_WRONLY, P9Client, SET_MODE, SET_SIZE } from "../helpers/p9-client.js";
import { tempDir } from "../helpers/provisioned.js";

const SET_ATIME = 0x10, SET_MTIME = 0x20, SET_ATIME_SET = 0x80, SET_MTIME_SET = 0x100;
const O_TRUNC = 0o1000, O_APPEND = 0o2000;
const TOOL = "#!/bin/sh\necho locked tool\n";

const scratch = await tempDir("p9-ro-inputs");
after(() => fs.rm(scratch, { recursive: true, force: true }));

/** A store entry's output with one executable, one library and a symlink. */
async function storeEntry(name: string): Promise<string> {
  const out = path.join(scratch, name, "out");
  await fs.mkdir(path.join(out, "bin"), { recursive: true });
  await fs.mkdir(path.join(out, "lib"));
  await fs.writeFile(path.join(out, "bin", "tool"), TOOL, { mode: 0o755 });
  await fs.writeFile(path.join(out, "lib", "libx.a"), "!<arch>\n", { mode: 0o644 });
  await fs.symlink("tool", path.join(out, "bin", "cc"));
  return out;
}

/** Everything a change could show in the store entry: per file its mode, size, link count, mtime
 *  and bytes (or link target). */
async function fingerprint(dir: string): Promise<string[]> {
  const seen: string[] = [];
  const visit = async (at: string): Promise<void> => {
    for (const name of (await fs.readdir(at)).sort()) {
      const file = path.join(at, name);
      const st = await fs.lstat(file);
      const what = st.isDirectory() ? "dir" : st.isSymbolicLink() ? `-> ${await fs.readlink(file)}` : JSON.stringify(await fs.readFile(file, "utf8"));
      seen.push(`${path.relative(dir, file)} ${st.mode.toString(8)} ${st.size} n${st.nlink} ${st.mtimeMs} ${what}`);
      if (st.isDirectory()) await visit(file);
    }
  };
  await visit(dir);
  return seen;
}

function setattr(c: P9Client, fid: number, valid: number, times: { atime?: bigint; mtime?: bigint } = {}): Promise<number> {
  return c.errno(P9.Tsetattr, (w) => w.u32(fid).u32(valid).u32(0o777).u32(0).u32(0).u64(0)
    .u64(times.atime ?? 0n).u64(0).u64(times.mtime ?? 0n).u64(0));
}

/** Every change a guest can ask for, aimed at `store/<dep>/bin/tool` and its directory. */
async function attackInputs(c: P9Client, dep: string): Promise<void> {
  await c.attach();
  const tool = ["store", dep, "bin", "tool"], bin = ["store", dep, "bin"];
  let fid = 10;
  const walk = async (names: string[]) => { const id = fid++; await c.walk(0, id, names); return id; };
  const refused = async (what: string, errno: Promise<number>) => assert.equal(await errno, ERRNO.EROFS, what);

  // Opening for writing in every way: write-only, read-write, truncate, append.
  for (const flags of [O_WRONLY, O_RDWR, O_RDONLY | O_TRUNC, O_WRONLY | O_APPEND]) {
    const id = await walk(tool);
    await refused(`Tlopen flags ${flags.toString(8)}`, c.errno(P9.Tlopen, (w) => w.u32(id).u32(flags)));
  }
  // A fid opened for reading cannot be written through.
  const reader = await walk(tool);
  await c.call(P9.Tlopen, (w) => w.u32(reader).u32(O_RDONLY));
  await refused("Twrite through a read-only open", c.errno(P9.Twrite, (w) => w.u32(reader).u64(0n).u32(4).bytes(new TextEncoder().encode("evil"))));
  // Size, mode and both times, each alone and together.
  for (const [what, valid, times] of [
    ["Tsetattr size", SET_SIZE, {}],
    ["Tsetattr mode", SET_MODE, {}],
    ["Tsetattr atime to a given time", SET_ATIME | SET_ATIME_SET, { atime: 1n }],
    ["Tsetattr mtime to a given time", SET_MTIME | SET_MTIME_SET, { mtime: 1n }],
    ["Tsetattr times to now", SET_ATIME | SET_MTIME, {}],
  ] as const) await refused(what, setattr(c, await walk(tool), valid, times));
  // Renames, links and removals, through every message that does one.
  const dir = await walk(bin);
  await refused("Trename", c.errno(P9.Trename, (w) => w.u32(reader).u32(dir).str("moved")));
  await refused("Trenameat", c.errno(P9.Trenameat, (w) => w.u32(dir).str("tool").u32(dir).str("moved")));
  await refused("Trenameat over the file", c.errno(P9.Trenameat, (w) => w.u32(dir).str("cc").u32(dir).str("tool")));
  await refused("Tlink", c.errno(P9.Tlink, (w) => w.u32(dir).u32(reader).str("hard")));
  await refused("Tunlinkat", c.errno(P9.Tunlinkat, (w) => w.u32(dir).str("tool").u32(0)));
  await refused("Tunlinkat of the symlink", c.errno(P9.Tunlinkat, (w) => w.u32(dir).str("cc").u32(0)));
  await refused("Tremove", c.errno(P9.Tremove, (w) => w.u32(reader)));
  await refused("Tremove of the directory", c.errno(P9.Tremove, (w) => w.u32(dir)));
  // Nothing new beside it either.
  const parent = await walk(bin);
  await refused("Tlcreate", c.errno(P9.Tlcreate, (w) => w.u32(parent).str("tool.new").u32(0o101).u32(0o755).u32(0)));
  const dirFid = await walk(bin);
  await refused("Tsymlink", c.errno(P9.Tsymlink, (w) => w.u32(dirFid).str("s").str("tool").u32(0)));
  await refused("Tmkdir", c.errno(P9.Tmkdir, (w) => w.u32(dirFid).str("d").u32(0o755).u32(0)));
  await refused("Tmknod", c.errno(P9.Tmknod, (w) => w.u32(dirFid).str("fifo").u32(0o010644).u32(0).u32(0).u32(0)));

  // And the guest still reads the file as it was.
  assert.equal(await c.readFile(tool), TOOL);
}

test("inputs linked into a host directory: every change over 9p is refused and the store file is untouched", async () => {
  const dep = await storeEntry("linked");
  const recipe = path.join(scratch, "recipe-linked");
  await fs.mkdir(recipe);
  const { rootDir } = await assembleShare(path.join(scratch, "run-linked"), { recipeDir: recipe, sources: {}, dependencies: { d: dep } });
  const served = path.join(rootDir, "store", "d", "bin", "tool");
  const link = await fs.stat(served);
  const original = await fs.stat(path.join(dep, "bin", "tool"));
  assert.equal(link.ino, original.ino, "the share holds a hard link to the store file: what this test protects");
  const nlink = original.nlink;
  const before = await fingerprint(dep); // taken after linking: the share's own links count
  const share = new HostShare(rootDir, true);
  await attackInputs(new P9Client(share), "d");
  await share.close();
  const after = await fingerprint(dep);
  assert.deepEqual(after, before);
  assert.equal((await fs.stat(path.join(dep, "bin", "tool"))).nlink, nlink, "no new hard link");
});

test("inputs served as a tree from a store entry and from an archive: every change is refused, nothing changes", async () => {
  const dep = await storeEntry("tree");
  const { manifest } = await captureOutput(dep);
  const archive = path.join(scratch, "tree.tar");
  await packOutput(dep, archive);
  const archiveBytes = await fs.readFile(archive);
  const before = await fingerprint(dep);
  const recipe = path.join(scratch, "recipe-tree");
  await fs.mkdir(recipe);
  for (const served of [{ outDir: dep, manifest }, { archive }]) {
    const share = new HostShare(await assembleShareTree({ recipeDir: recipe, sources: {}, dependencies: { d: served } }), true);
    await attackInputs(new P9Client(share), "d");
    await share.close();
  }
  assert.deepEqual(await fingerprint(dep), before);
  assert.ok((await fs.readFile(archive)).equals(archiveBytes), "the archive's bytes are unchanged");
});
