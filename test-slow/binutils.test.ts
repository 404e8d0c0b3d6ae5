// Slow (14-50 min under TCG on 2 cores), so not part of `npm test` or CI: `npm run test:slow`.
// Stage 2a1 (binutils 2.40 built by stage 1's tcc and 2a0's make) end to end in the VM, in a temp
// home with stage 1 (2a0 is built on the way).
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { after, before, test } from "node:test";
import { findLeaks } from "../src/store/leaks.js";
import { zilchboot } from "../test/helpers/child-env.js";
import { provisioned } from "../test/helpers/provisioned.js";
import { repoLockedOutput } from "../test/helpers/repo-lock.js";
import { testHomeWithStage1, type Stage1Home } from "../test/helpers/stage1.js";

const TOOLS = ["addr2line", "ar", "as", "c++filt", "elfedit", "gprof", "ld", "nm", "objcopy", "objdump", "ranlib", "readelf", "size", "strings", "strip"];
let home: Stage1Home;

before(async () => {
  home = await testHomeWithStage1("binutils");
});

after(async () => {
  await home?.remove();
});

test("2a1-binutils builds in the VM, matches its lock, has static tools and leaks no build path", async () => {
  const locked = await repoLockedOutput("2a1-binutils");
  const { kernel, seed } = await provisioned();
  const result = await zilchboot(["build", "2a1-binutils", "--kernel", kernel.path, "--seed", seed], home.env);
  assert.equal(result.exitCode, 0, result.stderr);
  assert.match(result.stdout, new RegExp(`^2a1-binutils {2}out ${locked} `));
  const outDir = result.stdout.trim().split(/\s+/).at(-1)!;
  assert.ok(outDir.startsWith(path.join(home.home, "store")));
  for (const tool of TOOLS) {
    const file = path.join(outDir, "bin", tool);
    assert.ok(((await fs.stat(file)).mode & 0o111) !== 0, `${tool} is executable`);
    // Static ELF: no PT_INTERP means no "/lib/ld-" interpreter string in the first page.
    const head = (await fs.readFile(file)).subarray(0, 4096).toString("latin1");
    assert.ok(head.startsWith("\x7fELF") && !head.includes("/lib/ld-"), `${tool} is a static ELF`);
  }
  assert.deepEqual(await findLeaks(outDir, ["/tmp/binutils-2.40", "/tmp/dest", "/sources/"]), []);
});
