// `zilchboot shell --web` end to end: the real CLI serves the page, headless Chromium (Debian's,
// driven by playwright-core) opens it, types into xterm.js and reads the VM's answer back.
// Stage 1 comes from test/helpers/stage1.ts, copied into this file's own temporary home.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { after, before, test } from "node:test";
import { type ResultPromise } from "execa";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import WebSocket from "ws";
import { BUSY_CLOSE_CODE } from "../../src/web/server.js";
import { zilchboot } from "../helpers/child-env.js";
import { alive, findQemu } from "../helpers/processes.js";
import { provisioned, tempDir } from "../helpers/provisioned.js";
import { testHomeWithStage1, type Stage1Home } from "../helpers/stage1.js";
import { waitForOutput } from "../helpers/wait-for-output.js";

/** Debian's chromium by default; ZILCHBOOT_TEST_CHROMIUM names another Chromium binary. */
const CHROMIUM = process.env.ZILCHBOOT_TEST_CHROMIUM ?? "/usr/bin/chromium";
let home: Stage1Home;

before(async () => {
  home = await testHomeWithStage1("web-shell");
});

after(async () => {
  await home?.remove();
});

const CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

/** The page's terminal screen as text (the client exposes its xterm.js Terminal for this). */
const SCREEN = `(() => {
  const buffer = window.zilchbootTerminal.buffer.active;
  const lines = [];
  for (let i = 0; i < buffer.length; i++) lines.push(buffer.getLine(i).translateToString(true));
  return lines.join("\\n");
})()`;

interface WebSession {
  cli: ResultPromise<{ reject: false; all: true }>;
  page: Page;
  url: URL;
  qemu: number;
  /** Page opened → shell prompt on it. */
  promptMs: number;
  dir: string;
}

/** Runs `fn` with the CLI serving 1-stage1's shell and a fresh headless Chromium showing its prompt. */
async function withWebShell(fn: (session: WebSession) => Promise<void>): Promise<void> {
  const { kernel, seed } = await provisioned();
  const dir = await tempDir("web-shell");
  let browser: BrowserContext | undefined;
  const cli = zilchboot(["shell", "1-stage1", "--web", "--kernel", kernel.path, "--seed", seed], home.env, { all: true });
  // Listen before anything slow: execa reads stdout whether or not we do.
  const printed = waitForOutput(cli.stdout, /^http:\/\/127\.0\.0\.1:\d+\/\?token=\S+$/m, { ended: cli }).then(
    (seen) => /^(http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)$/m.exec(seen)![1],
  );
  printed.catch(() => {}); // awaited below; this only keeps an early rejection from being "unhandled"
  try {
    // A fresh profile each run (playwright passes it as --user-data-dir).
    browser = await chromium.launchPersistentContext(path.join(dir, "profile"), { executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
    const url = new URL(await printed);
    const page = await browser.newPage();
    const opened = performance.now();
    await page.goto(url.href);
    await page.waitForFunction(`${SCREEN}.includes("1-stage1:before# ")`, undefined, { timeout: 120_000 });
    const promptMs = Math.round(performance.now() - opened);
    await fn({ cli, page, url, qemu: await findQemu(cli.pid!), promptMs, dir });
  } finally {
    await browser?.close();
    cli.kill("SIGKILL");
    await fs.rm(path.join(dir, "profile"), { recursive: true, force: true });
  }
}

test("the web shell runs the VM console in a browser page, one viewer at a time, and closing the page ends the VM", async (t) => {
  await withWebShell(async ({ cli, page, url, qemu, promptMs, dir }) => {
    t.diagnostic(`page opened → prompt: ${promptMs} ms`);
    // A second viewer is told the VM is taken, and the first keeps it.
    const second = new WebSocket(`ws://${url.host}/ws?token=${url.searchParams.get("token")}`, { origin: url.origin });
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
    assert.match(result.all, /the page closed; VM killed/);
    assert.equal(alive(qemu), false, "QEMU still runs after the page closed");
  });
});

test("Ctrl-C on the web shell's command ends the VM and tells the page", async () => {
  await withWebShell(async ({ cli, page, qemu }) => {
    cli.kill("SIGINT");
    const result = await cli;
    assert.equal(result.exitCode, 0, result.all);
    assert.match(result.all, /SIGINT, stopping/);
    assert.equal(alive(qemu), false, "QEMU still runs after Ctrl-C");
    await page.waitForFunction(`${SCREEN}.includes("[disconnected")`, undefined, { timeout: 10_000 });
  });
});
