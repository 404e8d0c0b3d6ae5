// The cache's HTTP transport: HEAD, small GETs, streamed GETs into a file (hashed on the way) and
// streamed PUTs, each with an idle timeout and retries with doubling backoff. Only the server's
// status and bytes come back; what they mean is decided elsewhere (nothing here trusts them).
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { stat } from "node:fs/promises";
import http from "node:http";
import https from "node:https";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { progressBar, type Progress } from "../sources/providers/progress.js";
import { describeNetworkError } from "../sources/providers/http.js";

export interface HttpOptions {
  base: URL;
  authorization: string | null;
  timeoutMs: number;
  attempts: number;
  progress: boolean;
  /** Where transfer progress goes instead of its own stderr line (e.g. a build's live line). */
  showProgress?: (label: string, total: number) => Progress;
  /** First backoff; doubled after each failed attempt. */
  backoffMs?: number;
}

/** The server could not be reached or kept failing (network error, timeout, 5xx): the cache is
 *  down for this run. */
export class CacheUnreachable extends Error {}

/** The server sent more than the caller asked for: a record or blob it cannot be. */
export class CacheOversize extends Error {}

/** The server answered with a status that retrying will not change (401, 403, 413…). */
export class CacheRefused extends Error {
  constructor(readonly status: number, what: string) {
    super(`${what}: HTTP ${status}${http.STATUS_CODES[status] ? ` ${http.STATUS_CODES[status]}` : ""}`);
  }
}

export type PutBody = { file: string } | { bytes: Buffer; contentType: string };

export interface Download {
  sha256: string;
  size: number;
}

class Retriable extends Error {}

export class CacheHttp {
  private readonly backoffMs: number;

  constructor(private readonly opts: HttpOptions) {
    this.backoffMs = opts.backoffMs ?? 250;
  }

  url(rel: string): URL {
    return new URL(rel, this.opts.base);
  }

  /** Whether the server has `rel` (200) or not (404). */
  async has(rel: string): Promise<boolean> {
    return this.retrying(`HEAD ${rel}`, async () => {
      const res = await this.send("HEAD", rel);
      res.resume();
      if (res.statusCode === 404) return false;
      this.check(res, `HEAD ${rel}`);
      return true;
    });
  }

  /** GET `rel`: the checked response, or null (its body drained) when the server has none (404). */
  private async get(rel: string): Promise<http.IncomingMessage | null> {
    const res = await this.send("GET", rel);
    if (res.statusCode === 404) {
      res.resume();
      return null;
    }
    this.check(res, `GET ${rel}`);
    return res;
  }

  /** The body of `rel`, at most `maxBytes`; null when the server has none (404). */
  async getBytes(rel: string, maxBytes: number): Promise<Buffer | null> {
    return this.retrying(`GET ${rel}`, async () => {
      const res = await this.get(rel);
      if (!res) return null;
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of res as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > maxBytes) {
          res.destroy();
          throw new CacheOversize(`GET ${rel} sent more than ${maxBytes} bytes`);
        }
        chunks.push(chunk);
      }
      return Buffer.concat(chunks);
    });
  }

  /** Streams `rel` into `file` (truncated on each attempt), hashing it on the way; stops past
   *  `maxBytes`. null when the server has none (404). */
  async download(rel: string, file: string, maxBytes: number, label: string): Promise<Download | null> {
    return this.retrying(`GET ${rel}`, async () => {
      const res = await this.get(rel);
      if (!res) return null;
      const hash = createHash("sha256");
      const bar = this.bar(label, maxBytes);
      let size = 0;
      const counter = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          size += chunk.length;
          if (size > maxBytes) return done(new CacheOversize(`GET ${rel} sent more than the ${maxBytes} bytes its record names`));
          hash.update(chunk);
          bar.update(size);
          done(null, chunk);
        },
      });
      try {
        await pipeline(res, counter, createWriteStream(file));
      } catch (error) {
        if (error instanceof CacheOversize) throw error;
        throw new Retriable(`GET ${rel}: ${describeNetworkError(error)} after ${size} bytes`);
      } finally {
        bar.done();
      }
      return { sha256: hash.digest("hex"), size };
    });
  }

  /** Uploads a file (streamed) or bytes to `rel`. */
  async put(rel: string, body: PutBody, label: string): Promise<void> {
    await this.retrying(`PUT ${rel}`, async () => {
      const size = "file" in body ? (await stat(body.file)).size : body.bytes.length;
      const headers = { "content-type": "file" in body ? "application/octet-stream" : body.contentType, "content-length": String(size) };
      const res = await this.send("PUT", rel, headers, async (req) => {
        if (!("file" in body)) return void req.end(body.bytes);
        const bar = this.bar(label, size);
        let sent = 0;
        const source = createReadStream(body.file);
        source.on("data", (chunk) => bar.update((sent += chunk.length)));
        try {
          await pipeline(source, req);
        } finally {
          bar.done();
        }
      });
      res.resume();
      this.check(res, `PUT ${rel}`);
    });
  }

  private bar(label: string, total: number): Progress {
    return this.opts.showProgress?.(label, total) ?? progressBar(label, total, this.opts.progress);
  }

  /** One request; resolves with the response once its headers arrived. */
  private send(method: string, rel: string, headers: Record<string, string> = {}, write?: (req: http.ClientRequest) => Promise<void>): Promise<http.IncomingMessage> {
    const url = this.url(rel);
    const transport = url.protocol === "https:" ? https : http;
    return new Promise((resolve, reject) => {
      const req = transport.request(url, {
        method,
        headers: { "user-agent": "zilchboot", "accept-encoding": "identity", ...(this.opts.authorization ? { authorization: this.opts.authorization } : {}), ...headers },
        // Idle time on the socket (connecting included), not a limit on the whole transfer.
        timeout: this.opts.timeoutMs,
      });
      req.on("timeout", () => req.destroy(new Error(`no data for ${this.opts.timeoutMs / 1000} s`)));
      req.on("error", (error) => reject(new Retriable(`${method} ${rel}: ${describeNetworkError(error)}`)));
      req.on("response", (res) => {
        // A stalled body fails as the request would.
        res.on("error", () => {});
        resolve(res);
      });
      if (write) write(req).catch((error: unknown) => req.destroy(error as Error));
      else req.end();
    });
  }

  /** 2xx passes; 5xx and 429 are worth another attempt, except 501 and 505 (the server does not
   *  do this at all); anything else is a refusal. */
  private check(res: http.IncomingMessage, what: string): void {
    const status = res.statusCode ?? 0;
    if (status >= 200 && status < 300) return;
    if ((status >= 500 && status !== 501 && status !== 505) || status === 429) throw new Retriable(`${what}: HTTP ${status}`);
    throw new CacheRefused(status, what);
  }

  private async retrying<T>(what: string, attempt: () => Promise<T>): Promise<T> {
    let wait = this.backoffMs;
    for (let n = 1; ; n++) {
      try {
        return await attempt();
      } catch (error) {
        if (!(error instanceof Retriable)) throw error;
        if (n >= this.opts.attempts) throw new CacheUnreachable(`${error.message} (${n} attempt${n === 1 ? "" : "s"})`);
        await new Promise((resolve) => setTimeout(resolve, wait));
        wait *= 2;
      }
    }
  }
}
