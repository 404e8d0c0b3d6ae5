// The cross-process lock wrapper: try-lock, waiting, and release that cannot fail a finished build.
import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import { acquireLock, isLocked, withLock } from "../../src/store/file-lock.js";
import { tempHome } from "../helpers/store-entries.js";
import { recordLog } from "../helpers/wait-for-output.js";

test("a held lock makes a try-lock return null and a waiting lock wait until it is released", async (t) => {
  const target = path.join(await tempHome(t, "lock"), "sub", "thing");
  const release = await acquireLock(target, { what: "thing" });
  assert.equal(await isLocked(target), true);
  assert.equal(await acquireLock(target, { what: "thing", wait: false }), null);
  const recorder = recordLog("waiting for another zilchboot process");
  const order: string[] = [];
  const waiter = withLock(target, { what: "thing", log: recorder.log }, async () => {
    order.push("waiter ran");
  });
  // Released once the waiter says it waits, not after a guess at how long that takes.
  await recorder.logged(waiter);
  order.push("holder released");
  await release();
  await waiter;
  assert.deepEqual(order, ["holder released", "waiter ran"]);
  assert.deepEqual(recorder.lines, ["waiting for another zilchboot process that holds thing"]);
  assert.equal(await isLocked(target), false);
});

test("releasing a lock twice is not an error", async (t) => {
  const release = await acquireLock(path.join(await tempHome(t, "lock"), "thing"), { what: "thing" });
  await release();
  await release();
});
