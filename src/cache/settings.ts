// Where the shared stage cache is and what this invocation may do with it, from `--cache URL`,
// `--cache-push` and the environment. Credentials and the signing key come from the environment
// only: argv is visible to every user of the machine (ps, /proc) and lands in shell histories and
// CI logs, so a URL carrying a user or password is refused.
import path from "node:path";
import { ZilchError } from "../errors.js";
import type { Progress } from "../sources/providers/progress.js";

export interface CacheSettings {
  /** The cache's base URL, ending in "/": `cas/…` and `ac/…` are resolved against it. */
  base: URL;
  /** Write what this run builds (and what the store has that the cache lacks). */
  push: boolean;
  /** The Authorization header value, when the environment gives credentials. */
  authorization: string | null;
  /** PKCS#8 PEM ed25519 private key used to sign pushed records (ZILCHBOOT_CACHE_SIGNING_KEY). */
  signingKeyFile: string | null;
  /** The repository's list of trusted signing keys. */
  keysFile: string;
  /** No data for this long fails one attempt. */
  timeoutMs: number;
  /** Attempts per request, with doubling backoff between them. */
  attempts: number;
  /** A progress line for transfers (on a TTY). */
  progress: boolean;
  /** Where that progress goes instead of its own stderr line (a build's live line). */
  showProgress?: (label: string, total: number) => Progress;
}

export const CACHE_ENV = {
  url: "ZILCHBOOT_CACHE_URL",
  user: "ZILCHBOOT_CACHE_USER",
  password: "ZILCHBOOT_CACHE_PASSWORD",
  token: "ZILCHBOOT_CACHE_TOKEN",
  signingKey: "ZILCHBOOT_CACHE_SIGNING_KEY",
} as const;

export const DEFAULT_TIMEOUT_MS = 30_000;

export interface CacheFlags {
  /** --cache URL; falls back to ZILCHBOOT_CACHE_URL. */
  url?: string;
  /** --cache-push */
  push?: boolean;
  recipesRoot: string;
  progress?: boolean;
  env?: NodeJS.ProcessEnv;
}

/** The settings, or null when no cache is configured. Bad input is one usage error naming the fix. */
export function cacheSettings(flags: CacheFlags): CacheSettings | null {
  const env = flags.env ?? process.env;
  const raw = flags.url ?? (env[CACHE_ENV.url] || undefined);
  if (raw === undefined) {
    if (flags.push) throw usage("--cache-push needs a cache: pass --cache URL or set ZILCHBOOT_CACHE_URL", "e.g. --cache http://127.0.0.1:8080/ --cache-push");
    return null;
  }
  const from = flags.url !== undefined ? "--cache" : CACHE_ENV.url;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw usage(`${from} expects an http:// or https:// URL, got ${JSON.stringify(raw)}`, "e.g. --cache http://cache.example.org/zilchboot/");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw usage(`${from} expects an http:// or https:// URL, got ${JSON.stringify(raw)}`, "the cache speaks Bazel's HTTP cache protocol");
  if (url.username || url.password) {
    throw usage(`${from} must not carry credentials (a URL on the command line is visible to every user of this machine)`, `drop the user:password@ part and set ${CACHE_ENV.user} and ${CACHE_ENV.password} (or ${CACHE_ENV.token})`);
  }
  if (url.search || url.hash) throw usage(`${from} must not have a query or fragment, got ${JSON.stringify(raw)}`, "pass the cache's base URL");
  if (!url.pathname.endsWith("/")) url.pathname += "/";
  const signingKey = env[CACHE_ENV.signingKey] || null;
  return {
    base: url,
    push: flags.push === true,
    authorization: authorization(env),
    signingKeyFile: signingKey === null ? null : path.resolve(signingKey),
    keysFile: path.join(flags.recipesRoot, "cache-keys.json"),
    timeoutMs: DEFAULT_TIMEOUT_MS,
    attempts: 3,
    progress: flags.progress ?? false,
  };
}

function authorization(env: NodeJS.ProcessEnv): string | null {
  const token = env[CACHE_ENV.token];
  const user = env[CACHE_ENV.user];
  const password = env[CACHE_ENV.password];
  if (token && (user || password)) throw usage(`set either ${CACHE_ENV.token} or ${CACHE_ENV.user}/${CACHE_ENV.password}, not both`, "unset the one your cache does not use");
  if (token) return `Bearer ${token}`;
  if (!user && !password) return null;
  if (!user || password === undefined) throw usage(`${user ? CACHE_ENV.password : CACHE_ENV.user} is not set (${user ? CACHE_ENV.user : CACHE_ENV.password} is)`, "set both for basic authentication");
  if (user.includes(":")) throw usage(`${CACHE_ENV.user} must not contain ':' (basic authentication cannot carry it)`, "use another user name");
  return `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
}

function usage(message: string, hint: string): ZilchError {
  return new ZilchError({ code: "USAGE", message, hint });
}

/** The URL as messages show it (origin and path; never credentials). */
export function describeCache(settings: Pick<CacheSettings, "base">): string {
  return `${settings.base.origin}${settings.base.pathname}`;
}
