// `zilchboot shell --web` end to end: the real CLI serves the page, headless Chromium (Debian's,
// driven by playwright-core) opens it, types into xterm.js and reads the VM's answer back.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { execa } from "execa";
import { chromium, type BrowserContext } from "playwright-core";
import WebSocket from "ws";
import { repoRoot } from "../../src/paths.js";
import { BUSY_CLOSE_CODE } from "../../src/web/server.js";
import { alive, findQemu } from "../helpers/processes.js";
import { provisioned, tempDir } from "../helpers/provisioned.js";

const CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

/** The page's terminal screen as text (the client exposes its xterm.js Terminal for this). */
const SCREEN = `(() => {
  const buffer = window.zilchbootTerminal.buffer.active;
  const lines = [];
  for (let i = 0; i < buffer.length; i++) lines.push(buffer.getLine(i).translateToString(true));
  return lines.join("\\n");
})()`;

test("the web shell runs the VM console in a browser page, one viewer at a time, and closing the page ends the VM", async (t) => {
  const { kernel, seed } = await provisioned();
  const dir = await tempDir("web-shell");
  let browser: BrowserContext | undefined;
  const cli = execa("node", [path.join(repoRoot, "dist", "src", "cli.js"), "shell", "1-stage1", "--web", "--kernel", kernel.path, "--seed", seed], { reject: false, all: true });
  // Listen before anything slow: execa reads stdout whether or not we do.
  const printed = new Promise<string>((resolve, reject) => {
    let seen = "";
    cli.stdout.on("data", (chunk: Buffer) => {
      seen += String(chunk);
      const match = /^(http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)$/m.exec(seen);
      if (match) resolve(match[1]);
    });
    void cli.then((r) => reject(new Error(`cli exited ${r.exitCode} before printing a URL:\n${r.all}`)));
  });
  printed.catch(() => {}); // awaited below; this only keeps an early rejection from being "unhandled"
  try {
    // A fresh profile each run (playwright passes it as --user-data-dir).
    browser = await chromium.launchPersistentContext(path.join(dir, "profile"), { executablePath: "/usr/bin/chromium", args: CHROMIUM_FLAGS });
    const url = await printed;
    const page = await browser.newPage();
    const opened = performance.now();
    await page.goto(url);
    await page.waitForFunction(`${SCREEN}.includes("1-stage1:before# ")`, undefined, { timeout: 120_000 });
    t.diagnostic(`page opened → prompt: ${Math.round(performance.now() - opened)} ms`);
    const qemu = await findQemu(cli.pid!);

    // A second viewer is told the VM is taken, and the first keeps it.
    const address = new URL(url);
    const second = new WebSocket(`ws://${address.host}/ws?token=${address.searchParams.get("token")}`, { origin: address.origin });
    const refused = await new Promise<number>((resolve) => second.once("close", (code) => resolve(code)));
    assert.equal(refused, BUSY_CLOSE_CODE);

    await page.click("#terminal");
    await page.keyboard.type("echo $((6*7))");
    await page.keyboard.press("Enter");
    await page.waitForFunction(`/\\n42\\n1-stage1:before# $/.test(${SCREEN}.trimEnd() + " ")`, undefined, { timeout: 30_000 });
    const screenshot = path.join(dir, "web-shell.png");
    await page.screenshot({ path: screenshot });
    assert.ok((await fs.stat(screenshot)).size > 1000);
    t.diagnostic(`screenshot: ${screenshot}`);

    await page.close();
    const result = await cli;
    assert.equal(result.exitCode, 0, result.all);
    assert.equal(alive(qemu), false, "QEMU still runs after the page closed");
  } finally {
    await browser?.close();
    cli.kill("SIGKILL");
    await fs.rm(path.join(dir, "profile"), { recursive: true, force: true });
  }
});
