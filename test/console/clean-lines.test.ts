import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { CleanLines } from "../../src/console/clean-lines.js";
import { ConsoleLog } from "../../src/vm/console-log.js";
import { tempDir } from "../helpers/provisioned.js";

async function clean(...chunks: string[]): Promise<string[]> {
  const lines: string[] = [];
  const cleaner = new CleanLines((line) => lines.push(line));
  for (const chunk of chunks) cleaner.write(Buffer.from(chunk));
  await cleaner.end();
  return lines;
}

test("colours, screen clears and cursor moves leave only the text a terminal shows", async () => {
  assert.deepEqual(await clean("\x1b[2J\x1b[HSeaBIOS (version 1.16.2)\r\n\x1b[1;31mred\x1b[0m text\r\n"), ["SeaBIOS (version 1.16.2)", "red text"]);
});

test("a line repainted with \\r keeps its last state", async () => {
  assert.deepEqual(await clean("progress 10%\rprogress 100%\r\n"), ["progress 100%"]);
});

test("auto-wrap turned off by firmware (ESC[?7l) does not cut long lines, even split across chunks", async () => {
  const long = "x".repeat(1000);
  assert.deepEqual(await clean("\x1b[?7l", `${long}\r\n`), [long]);
  assert.deepEqual(await clean("a\x1b[?", `7l${long}\r\n`), [`a${long}`]);
});

test("bare \\n ends a line as \\r\\n does, and an unfinished last line is kept", async () => {
  assert.deepEqual(await clean("one\ntwo\r\nthree"), ["one", "two", "three"]);
});

test("a UTF-8 character split across chunks survives", async () => {
  const bytes = Buffer.from("é ok\r\n");
  const lines: string[] = [];
  const cleaner = new CleanLines((line) => lines.push(line));
  cleaner.write(bytes.subarray(0, 1));
  cleaner.write(bytes.subarray(1));
  await cleaner.end();
  assert.deepEqual(lines, ["é ok"]);
});

test("ConsoleLog writes clean lines to its file, reports them live and keeps a tail", async () => {
  const dir = await tempDir("console-log");
  const file = path.join(dir, "console.log");
  const live: string[] = [];
  const log = new ConsoleLog(file, (line) => live.push(line), 2);
  for (let i = 1; i <= 4; i++) log.write(Buffer.from(`\x1b[32mline ${i}\x1b[0m\r\n`));
  await log.close();
  assert.equal(await fs.readFile(file, "utf8"), "line 1\nline 2\nline 3\nline 4\n");
  assert.deepEqual(live, ["line 1", "line 2", "line 3", "line 4"]);
  assert.deepEqual(log.tail(), ["line 3", "line 4"]);
  await fs.rm(dir, { recursive: true, force: true });
});
