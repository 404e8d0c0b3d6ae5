import assert from "node:assert/strict";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { findLeaks } from "../../src/store/leaks.js";

test("findLeaks reports each file holding a build path, with its offset", async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "zilchboot-leaks-"));
  await fs.mkdir(path.join(dir, "lib"));
  await fs.writeFile(path.join(dir, "lib", "a.o"), Buffer.concat([Buffer.alloc(10), Buffer.from("/tmp/stage1/src/x.c")]));
  await fs.writeFile(path.join(dir, "clean"), "nothing here");
  await fs.symlink("/tmp/stage1/elsewhere", path.join(dir, "link"));
  assert.deepEqual(await findLeaks(dir, ["/tmp/stage1", "/sources/"]), [{ file: "lib/a.o", needle: "/tmp/stage1", offset: 10 }]);
  await fs.rm(dir, { recursive: true, force: true });
});
