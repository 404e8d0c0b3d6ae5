// The environment of every process a test starts (the CLI, node children, a pty's shell), built
// from nothing: a developer's ZILCHBOOT_CACHE_URL would otherwise turn a test's build into a pull
// from their remote cache, ZILCHBOOT_STORE would change the store's shape under a test, and
// execa (like spawn) passes the whole parent environment on unless told not to.
import { execa, type Options } from "execa";
import { cacheDir } from "../../src/paths.js";
import { CLI } from "./home.js";

/** What a child needs of the host to run at all: where programs are, and the user's home and
 *  temp dir (os.tmpdir(), so the child's temp files land where the test looks). */
const HOST_NAMES = ["PATH", "HOME", "TMPDIR"] as const;

/**
 * The host's PATH, HOME and TMPDIR, the download cache the test process itself uses, then `set`
 * (undefined removes a name). The download cache is named explicitly rather than inherited: it
 * holds only files checked against their pins, so sharing it saves downloads and decides nothing.
 */
export function childEnv(set: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of HOST_NAMES) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  env.ZILCHBOOT_DOWNLOADS = cacheDir();
  for (const [name, value] of Object.entries(set)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

/** Options for execa that start a child with childEnv(set) and nothing else of ours. */
export function childOptions(set: Record<string, string | undefined> = {}): { env: Record<string, string>; extendEnv: false } {
  return { env: childEnv(set), extendEnv: false };
}

/** The built CLI with `args`, in childEnv(env): never rejects, the result carries the exit code. */
export function zilchboot<const O extends Omit<Options, "env" | "extendEnv"> = Record<never, never>>(args: readonly string[], env: Record<string, string | undefined> = {}, options?: O) {
  return execa(process.execPath, [CLI, ...args], { reject: false, ...options, ...childOptions(env) } as O & { reject: false; env: Record<string, string>; extendEnv: false });
}
