// readTarIndex lists a canonical output tar (long and non-ASCII names in pax headers, long link
// targets) as node-tar does, with offsets that point at each file's bytes; it refuses what no
// output may hold (a hard link here).
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { after, test } from "node:test";
import * as tar from "tar";
import { packOutput } from "../../src/cache/output-archive.js";
import { readTarIndex } from "../../src/vm/p9/tar-index.js";
import { tempDir } from "../helpers/provisioned.js";

const scratch = await tempDir("tar-index");
after(() => fs.rm(scratch, { recursive: true, force: true }));

test("members, modes, targets and byte offsets of a canonical output tar", async () => {
  const out = path.join(scratch, "out");
  const deep = path.join(out, "d".repeat(120));
  await fs.mkdir(deep, { recursive: true });
  await fs.writeFile(path.join(deep, `naïve-${"f".repeat(120)}`), "deep bytes\n");
  await fs.writeFile(path.join(out, "tool"), "x".repeat(5000), { mode: 0o755 });
  await fs.symlink("t".repeat(200), path.join(out, "long-link"));
  const archive = path.join(scratch, "out.tar");
  await packOutput(out, archive);

  const expected: string[] = [];
  await tar.t({ file: archive, onReadEntry: (e) => expected.push(`${e.path.replace(/\/$/, "")} ${e.type} ${e.size} ${e.linkpath ?? ""}`) });
  const members = await readTarIndex(archive);
  const kinds: Record<string, string> = { file: "File", dir: "Directory", symlink: "SymbolicLink" };
  assert.deepEqual(members.map((m) => `${m.path} ${kinds[m.type]} ${m.size} ${m.target}`), expected);
  assert.equal(members.find((m) => m.path === "tool")?.mode, 0o755);
  const bytes = await fs.readFile(archive);
  for (const member of members.filter((m) => m.type === "file")) {
    const inside = bytes.subarray(Number(member.offset), Number(member.offset + member.size));
    assert.deepEqual(inside, await fs.readFile(path.join(out, ...member.path.split("/"))), member.path);
  }
});

test("a hard link in a tar is refused by name", async () => {
  const dir = path.join(scratch, "links");
  await fs.mkdir(dir);
  await fs.writeFile(path.join(dir, "a"), "same");
  await fs.link(path.join(dir, "a"), path.join(dir, "b"));
  const archive = path.join(scratch, "links.tar");
  await tar.c({ file: archive, cwd: dir, portable: true }, ["a", "b"]);
  await assert.rejects(readTarIndex(archive), /member "b" has tar type "1"/);
});
