// One resumable downloader for upstream URLs and http mirrors. Every network failure is
// reported at once: the next provider is usually a better bet than retrying this one.
import { open, rm, stat } from "node:fs/promises";
import path from "node:path";
import { progressBar } from "./progress.js";
import { oneLine, ProviderFailure, type FetchContext, type Provider } from "./provider.js";

export interface DownloadOptions {
  /** Abort when nothing arrives for this long (connect included). */
  timeoutMs: number;
  progress: boolean;
  /** Shown on the progress line. */
  label: string;
  /** Expected size: used for the progress bar and to stop a runaway body early. */
  size: number;
  /** `size` is only an upper bound (no progress fraction then). */
  sizeIsLimit?: boolean;
}

type Outcome = "done" | "restart";

/** Downloads `url` into `partFile`, resuming from what is already there. */
export async function download(url: string, partFile: string, options: DownloadOptions): Promise<void> {
  let offset = await sizeOf(partFile);
  if (offset >= options.size) {
    // Complete-looking leftovers were not verified last time; a Range request would only get 416.
    await rm(partFile, { force: true });
    offset = 0;
  }
  if ((await attempt(url, partFile, offset, options)) === "done") return;
  // The server could not honour our Range: start over, once.
  await rm(partFile, { force: true });
  if ((await attempt(url, partFile, 0, options)) === "done") return;
  throw new ProviderFailure("server refused a plain download after a failed resume");
}

async function sizeOf(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch {
    return 0;
  }
}

async function attempt(url: string, partFile: string, offset: number, options: DownloadOptions): Promise<Outcome> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const arm = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(new IdleTimeout(options.timeoutMs)), options.timeoutMs);
  };
  arm();
  try {
    // identity: fetch would transparently gunzip a .tar.gz served with Content-Encoding: gzip.
    const headers: Record<string, string> = { "accept-encoding": "identity", "user-agent": "zilchboot" };
    if (offset > 0) headers.range = `bytes=${offset}-`;
    let response: Response;
    try {
      response = await fetch(url, { headers, signal: controller.signal, redirect: "follow" });
    } catch (error) {
      throw new ProviderFailure(describeNetworkError(error, controller.signal));
    }
    if (response.status === 416) {
      await response.body?.cancel();
      return "restart";
    }
    let append: boolean;
    if (response.status === 206) {
      if (contentRangeStart(response.headers.get("content-range")) !== offset) {
        await response.body?.cancel();
        return "restart";
      }
      append = offset > 0;
    } else if (response.status === 200) {
      append = false; // the server ignored Range and sends everything
    } else {
      await response.body?.cancel();
      throw new ProviderFailure(`HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ""}`);
    }
    if (!response.body) throw new ProviderFailure("empty response");
    await receive(response.body, partFile, append ? offset : 0, options, arm, controller.signal);
    return "done";
  } finally {
    clearTimeout(timer);
  }
}

async function receive(
  body: ReadableStream<Uint8Array>,
  partFile: string,
  start: number,
  options: DownloadOptions,
  onData: () => void,
  signal: AbortSignal,
): Promise<void> {
  const file = await open(partFile, start > 0 ? "a" : "w");
  const bar = progressBar(options.label, options.sizeIsLimit ? undefined : options.size, options.progress);
  let written = start;
  try {
    for await (const chunk of body) {
      onData();
      await file.write(chunk);
      written += chunk.byteLength;
      bar.update(written);
      // Past the pinned size it cannot verify anyway; verification reports the mismatch.
      if (written > options.size) break;
    }
  } catch (error) {
    const kept = written > 0 ? ` after ${humanBytes(written)} (kept for resume)` : "";
    throw new ProviderFailure(`${describeNetworkError(error, signal)}${kept}`);
  } finally {
    bar.done();
    await file.close();
  }
}

function humanBytes(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : `${n} bytes`;
}

class IdleTimeout extends Error {
  constructor(readonly ms: number) {
    super(`no data for ${ms / 1000} s`);
  }
}

function contentRangeStart(header: string | null): number | undefined {
  const match = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(header?.trim() ?? "");
  return match ? Number(match[1]) : undefined;
}

/** A short clause for a failed fetch(): DNS, refused, reset, timeout... */
export function describeNetworkError(error: unknown, signal?: AbortSignal): string {
  if (signal?.aborted && signal.reason instanceof IdleTimeout) return signal.reason.message;
  const cause = (error as { cause?: { code?: string; message?: string } } | undefined)?.cause;
  const code = cause?.code ?? (error as { code?: string } | undefined)?.code;
  switch (code) {
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return `host not found (${code})`;
    case "ECONNREFUSED":
      return "connection refused";
    case "ECONNRESET":
    case "UND_ERR_SOCKET":
      return "connection reset";
    case "UND_ERR_CONNECT_TIMEOUT":
      return "connect timed out";
  }
  const message = cause?.message ?? (error instanceof Error ? error.message : String(error));
  return oneLine(code ? `${message} (${code})` : message);
}

/** Fetches `url` through the shared .part file (so a mirror can resume what upstream began). */
export function httpProvider(label: string, url: string, mismatchHint: string): Provider {
  return {
    label,
    mismatchHint,
    async fetch(ctx: FetchContext): Promise<string> {
      const partFile = path.join(ctx.partialDir, `${ctx.pin.file}.part`);
      await download(url, partFile, {
        timeoutMs: ctx.timeoutMs,
        progress: ctx.progress,
        label: ctx.pin.file,
        size: ctx.pin.size,
        sizeIsLimit: ctx.pin.sizeIsLimit === true,
      });
      return ctx.deliver(partFile, label);
    },
  };
}
