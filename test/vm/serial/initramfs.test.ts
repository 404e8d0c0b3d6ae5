// The serial transport's initramfs (src/vm/serial/initramfs.ts): its layout, the #! line the kernel
// runs, and the pre-init compiling with the seed tcc that runs it in the guest (the boot itself is
// test/vm/serial/serial-smoke.test.ts).
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { execa } from "execa";
import { provideSeed } from "../../../src/provision.js";
import { preinitEntries, preinitSources, writePreinitInitramfs } from "../../../src/vm/serial/initramfs.js";
import { tempDir } from "../../helpers/home.js";

const dirs: string[] = [];
after(async () => {
  for (const dir of dirs) await fs.rm(dir, { recursive: true, force: true });
});

test("/init is the pre-init behind a #! line that runs the seed without libc, and the seed is executable", () => {
  const entries = preinitEntries(Uint8Array.of(0x7f, 0x45, 0x4c, 0x46), "int _start(void) { return 0; }\n", "/* zsys */\n");
  const byPath = new Map(entries.map((e) => [e.path, e]));
  const init = byPath.get("init");
  assert.ok(init?.type === "file" && init.mode === 0o755);
  const text = new TextDecoder().decode(init.data);
  const shebang = text.split("\n")[0]!;
  assert.equal(shebang, "#!/zb/tcc -run -nostdinc -nostdlib -I/zb");
  // The kernel reads at most 256 bytes of a #! line (BINPRM_BUF_SIZE).
  assert.ok(shebang.length < 256);
  const tcc = byPath.get("zb/tcc");
  assert.ok(tcc?.type === "file" && tcc.mode === 0o755);
  assert.deepEqual(byPath.get("dev/console"), { type: "chardev", path: "dev/console", mode: 0o600, major: 5, minor: 1 });
  for (const dir of ["proc", "sys", "newroot"]) assert.equal(byPath.get(dir)?.type, "dir", dir);
});

test("the pre-init compiles with the seed tcc, as the guest compiles it", async () => {
  const seed = await provideSeed(undefined, { mirrors: [], progress: false, log: () => {}, verbose: false, jobs: os.availableParallelism() });
  const dir = await tempDir("preinit");
  dirs.push(dir);
  const { preinit, zsys } = preinitSources();
  const result = await execa(seed.path, ["-nostdinc", "-nostdlib", `-I${path.dirname(zsys)}`, "-c", preinit, "-o", path.join(dir, "preinit.o")], { reject: false });
  assert.equal(result.exitCode, 0, result.stderr);
  assert.equal(result.stderr, "", "no warnings");
});

test("the initramfs file holds the seed byte for byte", async () => {
  const dir = await tempDir("initramfs");
  dirs.push(dir);
  const seed = path.join(dir, "seed");
  await fs.writeFile(seed, "SEED-BYTES-" + "x".repeat(1000));
  const file = path.join(dir, "initramfs.cpio");
  await writePreinitInitramfs(seed, file);
  const archive = await fs.readFile(file);
  assert.ok(archive.includes(Buffer.from("SEED-BYTES-" + "x".repeat(1000))));
  assert.ok(archive.includes(Buffer.from("#!/zb/tcc -run")));
  assert.equal(archive.byteLength % 4, 0);
});
