// Boots QEMU once (x86_64, seed tcc as PID 1): a guest program makes a FIFO, a setuid file, a
// symlink, a hard link, 0755 and 0600 files and a subdirectory in /out. While the VM runs the host
// share holds only plain files and directories (QEMU's mapped-file model); after the run the tree
// is realised (real symlink, exec bits) and the FIFO fails the run with one line naming it.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { ZilchError } from "../../src/errors.js";
import { repoRoot, cacheDir } from "../../src/paths.js";
import { guestDir } from "../../src/provision.js";
import { assembleShare, SEED_GUEST_PATH } from "../../src/stages/share.js";
import { QemuBackend } from "../../src/vm/qemu.js";
import { provisioned, tempDir } from "../helpers/provisioned.js";

/** Every entry under `dir` as "path kind mode", never following a symlink. */
async function hostView(dir: string, rel = ""): Promise<{ path: string; kind: string; mode: number; ino: number; nlink: number }[]> {
  const seen = [];
  for (const name of (await fs.readdir(path.join(dir, rel))).sort()) {
    const relName = rel ? `${rel}/${name}` : name;
    const st = await fs.lstat(path.join(dir, relName));
    const kind = st.isDirectory() ? "dir" : st.isFile() ? "file" : st.isSymbolicLink() ? "symlink" : "special";
    seen.push({ path: relName, kind, mode: st.mode & 0o7777, ino: st.ino, nlink: st.nlink });
    if (st.isDirectory()) seen.push(...(await hostView(dir, relName)));
  }
  return seen;
}

test("QEMU's out share never holds a FIFO, setuid file or symlink on the host, and is realised after the run", async () => {
  const { kernel, seed } = await provisioned();
  const scratch = await tempDir("out-share");
  const { rootDir, outDir } = await assembleShare(path.join(scratch, "run"), {
    seed, guestDir: guestDir(), recipeDir: path.join(repoRoot, "test", "fixtures", "out-share"), sources: {}, dependencies: {},
  });
  const backend = new QemuBackend({ probeKernel: kernel.path, cacheDir: cacheDir() });
  let during: Awaited<ReturnType<typeof hostView>> | undefined;
  let checking: Promise<void> | undefined;
  const lines: string[] = [];
  const booted = backend.boot({
    kernel: kernel.path, rootDir, outDir,
    init: SEED_GUEST_PATH, initArgs: ["-nostdinc", "-nostdlib", "-I/guest", "-run", "/recipe/out-share.c"],
    memoryMiB: 256, cpus: 1, timeoutMs: 600_000, consoleLog: path.join(scratch, "console.log"),
    onConsoleLine: (line) => {
      lines.push(line);
      if (line === "out-share: created") {
        checking = (async () => {
          during = await hostView(outDir);
          await fs.writeFile(path.join(outDir, "host-checked"), "");
        })();
      }
    },
  });
  await assert.rejects(booted, (err: unknown) => {
    assert.ok(err instanceof ZilchError, String(err));
    assert.equal(err.message, "the guest made a FIFO at /out/fifo, which an output cannot hold");
    return true;
  });
  await checking;
  assert.ok(lines.includes("out-share: host checked"), `the guest saw the host's check:\n${lines.join("\n")}`);

  // The guest itself saw what it made (mapped-file keeps its view): setuid, FIFO, symlink.
  assert.ok(lines.includes(`guest mode /out/suid: ${0o104755}`), lines.join("\n"));
  assert.ok(lines.includes(`guest mode /out/fifo: ${0o010644}`));
  assert.ok(lines.includes(`guest mode /out/link: ${0o120777}`));

  // While it ran: plain files and directories only, none setuid, and QEMU's metadata beside them.
  assert.ok(during, "the host looked while the VM ran");
  for (const entry of during) {
    assert.ok(entry.kind === "file" || entry.kind === "dir", `${entry.path} is a ${entry.kind} on the host`);
    assert.equal(entry.mode & 0o7000, 0, `${entry.path} has mode ${entry.mode.toString(8)} on the host`);
  }
  const byPath = new Map(during.map((e) => [e.path, e]));
  assert.equal(byPath.get("suid")?.mode, 0o600, "QEMU creates host files 0600");
  assert.equal(byPath.get("sub")?.mode, 0o700, "and directories 0700");
  assert.ok(byPath.has(".virtfs_metadata/suid") && byPath.has("sub/.virtfs_metadata/deep"));
  assert.equal(byPath.get(".virtfs_metadata/hard")?.ino, byPath.get(".virtfs_metadata/tool")?.ino, "QEMU hard-links the metadata of a hard link");

  // After: realised, with no metadata left.
  const after = await hostView(outDir);
  const realised = new Map(after.map((e) => [e.path, e]));
  assert.deepEqual([...realised.keys()].sort(), ["fifo", "hard", "host-checked", "link", "private", "sub", "sub/deep", "suid", "tool"]);
  assert.equal(await fs.readlink(path.join(outDir, "link")), "tool");
  assert.equal(realised.get("tool")?.mode, 0o755);
  assert.equal(realised.get("suid")?.mode, 0o755, "exec bits kept, setuid gone");
  assert.equal(realised.get("private")?.mode, 0o644);
  assert.equal(realised.get("sub")?.mode, 0o755);
  assert.equal(realised.get("sub/deep")?.mode, 0o644);
  assert.equal(realised.get("hard")?.ino, realised.get("tool")?.ino, "the hard link is still one file");
  assert.equal(realised.get("fifo")?.kind, "file", "the FIFO never became one on the host");
  for (const entry of after) assert.notEqual(entry.kind, "special", entry.path);
  assert.equal(await fs.readFile(path.join(outDir, "link"), "utf8"), "#!/bin/sh\necho tool\n");
  await fs.rm(scratch, { recursive: true, force: true });
});
