// --cache URL / --cache-push (and ZILCHBOOT_CACHE_URL) → the invocation's StageCache. Bad settings,
// an unreadable keys file or signing key fail here, before anything is built: only the server's
// own failures are warnings.
import { str } from "../cli-options.js";
import { cacheSettings } from "../cache/settings.js";
import type { StageCache } from "../cache/stage-cache.js";
import type { Progress } from "../progress.js";
import type { CommandContext } from "./context.js";

export const CACHE_HELP = `cache options:
  --cache URL      a shared stage cache speaking Bazel's HTTP cache protocol (bazel-remote,
                   nginx + WebDAV, …) (default: $ZILCHBOOT_CACHE_URL). Stages are pulled from it
                   instead of built; an entry is used only if its output equals recipes/lock.json
                   (or, for a stage the lock lacks, is signed by a key in recipes/cache-keys.json)
  --cache-push     also upload what the store has and the cache lacks
cache environment:
  ZILCHBOOT_CACHE_URL  the --cache default
  ZILCHBOOT_CACHE_USER + ZILCHBOOT_CACHE_PASSWORD, or ZILCHBOOT_CACHE_TOKEN  --cache-push credentials
  ZILCHBOOT_CACHE_SIGNING_KEY  a key file ('zilchboot cache-keygen') that signs pushed records`;

/** `live`: the build's live line (on a TTY); transfers then report there instead of on a line of
 *  their own, which the live line would overwrite. */
export async function stageCacheFromFlags(ctx: Pick<CommandContext, "options" | "tty" | "log" | "verbose">, recipesRoot: string, live?: Progress): Promise<StageCache | null> {
  const settings = cacheSettings({ url: str(ctx, "cache"), push: ctx.options["cache-push"] === true, recipesRoot, progress: ctx.tty });
  if (!settings) return null;
  if (live && ctx.tty && !ctx.verbose) {
    const mb = (bytes: number) => (bytes / 1e6).toFixed(1);
    settings.showProgress = (label, total) => ({ update: (bytes) => live.consoleLine(`${label}: ${mb(bytes)} of ${mb(total)} MB`), done: () => {} });
  }
  const { StageCache } = await import("../cache/stage-cache.js");
  const cache = new StageCache(settings, live ? live.around(ctx.log) : ctx.log);
  await cache.trustedKeys();
  if (settings.push) await cache.signing();
  return cache;
}
