// Two processes fetching one pin into one shared cache (real child processes, a local HTTP
// server): both succeed, and the second reuses the first's verified download.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { moduleUrl, nodeChild } from "../helpers/node-child.js";
import { payload, tempDir } from "../fixtures/sources/helpers.js";

/** Serves `body` at /<file> in 16 chunks and holds the second half back until `gate` resolves, so
 *  the download is still running when the second process arrives, however slowly it starts. */
async function slowServer(file: string, body: Buffer, gate: Promise<void>): Promise<{ url: string; requests: () => number; close: () => Promise<void> }> {
  let requests = 0;
  const server = http.createServer(async (req, res) => {
    requests++;
    if (req.url !== `/${file}`) return void res.writeHead(404).end();
    res.writeHead(200, { "content-length": body.length });
    const step = Math.ceil(body.length / 16);
    for (let at = 0; at < body.length; at += step) {
      if (at >= body.length / 2) await gate;
      res.write(body.subarray(at, at + step));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/${file}`,
    requests: () => requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const FETCHER = `
const [fetchUrl, cacheDir, pinJson] = process.argv.slice(1);
const { ensureSource } = await import(fetchUrl);
console.log("fetching");
const file = await ensureSource(JSON.parse(pinJson), { cacheDir, allowApt: false, log: (line) => console.log(line) });
console.log("got " + file);
`;

test("two processes fetching one pin both succeed: the second waits for the first and reuses its verified file", async (t) => {
  const cacheDir = await tempDir(t, "cache");
  const { bytes, pin } = payload("race-1.tar.gz", 256 * 1024);
  let openGate = () => {};
  const gate = new Promise<void>((resolve) => (openGate = resolve));
  const server = await slowServer(pin.file, bytes, gate);
  t.after(() => server.close());
  const pinJson = JSON.stringify({ ...pin, urls: [server.url] });
  const fetchModule = moduleUrl("../../src/sources/fetch.js", import.meta.url);

  const first = nodeChild(FETCHER, [fetchModule, cacheDir, pinJson]);
  await first.line(/^fetching$/);
  while (server.requests() === 0) await new Promise((resolve) => setTimeout(resolve, 20));
  const second = nodeChild(FETCHER, [fetchModule, cacheDir, pinJson]);
  // The first download finishes only once the second process waits for it (or, if it never does,
  // after 60 s, and the assertions below fail).
  const gateTimer = setTimeout(openGate, 60_000);
  await Promise.race([second.line(/^waiting for another zilchboot process/), gate]);
  clearTimeout(gateTimer);
  openGate();
  const [a, b] = await Promise.all([first.done, second.done]);

  const got = [a, b].map((out) => /^got (.*)$/m.exec(out.stdout)?.[1]);
  assert.ok(got[0] && got[0] === got[1], `${a.stdout}\n${b.stdout}`);
  assert.deepEqual(await fs.readFile(got[0]), bytes);
  assert.match(b.stdout, /^waiting for another zilchboot process that holds the download of race-1\.tar\.gz$/m);
  assert.equal(server.requests(), 1, "one download for both");
});
