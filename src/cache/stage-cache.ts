// One invocation's view of the shared cache: the HTTP client, the repository's trusted keys, and
// whether the server is down. The first time it cannot be reached it is dropped for the rest of the
// run with one warning line, so a cache that is down costs one timeout and never fails a build.
import type { KeyObject } from "node:crypto";
import type { StageInputs } from "../stages/input-hash.js";
import type { StoreEntry } from "../store/store.js";
import type { StoreRequest } from "../store/store-mode.js";
import { acPath, casPath, MAX_RECORD_BYTES, parseRecord, type CacheRecord } from "./cache-record.js";
import { CacheHttp, CacheRefused, CacheUnreachable } from "./http-client.js";
import { describeCache, type CacheSettings } from "./settings.js";
import { readSigningKey, readTrustedKeys, type TrustedKey } from "./signing.js";
import { judgeRecord } from "./trust.js";

/** What `plan` learns about one stage: the cache holds an entry this run would accept. */
export interface RemoteFact {
  output: string;
  why: string;
}

export interface PullRequest {
  stage: string;
  inputHash: string;
  inputs: StageInputs;
  /** The lock's output for the stage, or null when it has none. */
  locked: string | null;
  home: string;
  /** How the pulled entry is kept (store-mode.ts); default auto. */
  store?: StoreRequest;
}

export class StageCache {
  readonly http: CacheHttp;
  readonly label: string;
  private down: string | null = null;
  private keys?: Promise<TrustedKey[]>;
  private signingKey?: Promise<KeyObject | null>;

  constructor(readonly settings: CacheSettings, private readonly log: (line: string) => void) {
    this.http = new CacheHttp(settings);
    this.label = describeCache(settings);
  }

  get pushing(): boolean {
    return this.settings.push;
  }

  get available(): boolean {
    return this.down === null;
  }

  trustedKeys(): Promise<TrustedKey[]> {
    this.keys ??= readTrustedKeys(this.settings.keysFile);
    return this.keys;
  }

  signing(): Promise<KeyObject | null> {
    this.signingKey ??= this.settings.signingKeyFile ? readSigningKey(this.settings.signingKeyFile) : Promise.resolve(null);
    return this.signingKey;
  }

  /** What the cache did for each stage this run, in order (for --json reports): "pulled",
   *  "not in the cache", "ignored: …", "pushed", "failed to …: …". */
  readonly outcomes = new Map<string, string[]>();

  note(stage: string, outcome: string): void {
    this.outcomes.set(stage, [...(this.outcomes.get(stage) ?? []), outcome]);
  }

  warn(line: string): void {
    this.log(`warning: ${line}`);
  }

  /** Turns a transport failure into the run's one "cache is down" line, or a per-stage warning. */
  failed(stage: string, doing: string, error: unknown): void {
    this.note(stage, `failed to ${doing}: ${(error as Error).message}`);
    if (error instanceof CacheUnreachable) {
      // A server that answered, with errors, is not "unreachable": say what it did.
      const state = /: HTTP \d{3}/.test(error.message) ? "keeps failing" : "is unreachable";
      if (this.down === null) this.warn(`cache ${this.label} ${state} (${error.message}); going on without it for the rest of this run`);
      this.down = error.message;
    } else if (error instanceof CacheRefused) {
      const hint = error.status === 401 || error.status === 403 ? ` (check ${doing.startsWith("push") ? "ZILCHBOOT_CACHE_USER/ZILCHBOOT_CACHE_PASSWORD or ZILCHBOOT_CACHE_TOKEN" : "the cache's read access"})` : "";
      this.warn(`${stage}: cache ${this.label} refused to ${doing}: ${error.message}${hint}`);
    } else {
      this.warn(`${stage}: could not ${doing} (${(error as Error).message})`);
    }
  }

  /** The record under the stage's ac/ key that this run would accept, or why not; null: none. */
  async trustedRecord(stage: string, inputHash: string, locked: string | null): Promise<{ record: CacheRecord; why: string } | { ignored: string } | null> {
    const body = await this.http.getBytes(acPath(stage, inputHash), MAX_RECORD_BYTES);
    if (body === null) return null;
    const record = await parseRecord(body, `${this.label}${acPath(stage, inputHash)}`);
    if ("invalid" in record) return { ignored: `its record is not valid (${record.invalid})` };
    const verdict = judgeRecord(record, { stage, inputHash, locked }, await this.trustedKeys());
    return "untrusted" in verdict ? { ignored: verdict.untrusted } : { record, why: verdict.trusted };
  }

  /** For planning: whether a pull of this stage would be tried (a trusted record whose blob
   *  exists). `quiet`: an entry it would ignore is not reported (the pull reports it). */
  async lookup(stage: string, inputHash: string, locked: string | null, opts: { quiet?: boolean } = {}): Promise<RemoteFact | null> {
    if (this.down !== null) return null;
    try {
      const found = await this.trustedRecord(stage, inputHash, locked);
      if (found === null) return null;
      if ("ignored" in found) {
        if (!opts.quiet) this.warn(`${stage}: ignoring the cache's entry: ${found.ignored}`);
        return null;
      }
      if (!(await this.http.has(casPath(found.record.archive.sha256)))) return null;
      return { output: found.record.output, why: `${this.label} has it (${found.why})` };
    } catch (error) {
      // A server that is down is said once either way; the rest the pull says, if it comes to it.
      if (!opts.quiet || error instanceof CacheUnreachable) this.failed(stage, "look it up", error);
      return null;
    }
  }

  async pull(request: PullRequest): Promise<StoreEntry | null> {
    if (this.down !== null) return null;
    const { pullIntoStore } = await import("./pull.js");
    return pullIntoStore(this, request);
  }

  async push(entry: StoreEntry, locked: string | null): Promise<void> {
    if (this.down !== null || !this.settings.push) return;
    const { pushFromStore } = await import("./push.js");
    await pushFromStore(this, entry, locked, this.log);
  }
}
