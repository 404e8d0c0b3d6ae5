// `zilchboot cache-check [STAGE] --cache URL [--cache-push]`: whether a shared cache works for
// this checkout before a build relies on it. A server answering 404 to everything looks like an
// empty cache to a build (no warning, nothing pulled), and a refusal to store uploads shows only
// at the end of one; this says what the server answered, and how much of the chain it holds.
import { createHash } from "node:crypto";
import { acPath, casPath } from "../cache/cache-record.js";
import { CacheOversize, CacheRefused, CacheUnreachable } from "../cache/http-client.js";
import { ZilchError } from "../errors.js";
import { createHostSession } from "../host-session.js";
import { recipesDir } from "../paths.js";
import { planTarget } from "../stages/chain.js";
import { stageCacheFromFlags } from "./cache-flags.js";
import type { CommandContext } from "./context.js";
import { DEFAULT_TARGET } from "./defaults.js";
import { stageArgs } from "./stage-args.js";
import { fileFlag } from "./vm-values.js";

export const help = `Checks a shared stage cache for this checkout: that it answers reads (what it said), with
--cache-push that an upload is stored and served back, and which stages of the chain up to STAGE
(default ${DEFAULT_TARGET}) it holds entries for that a build here would use. Exits 1 when reads or
writes fail. Uploads one small content-addressed blob under cas/ (with --cache-push only).
  --cache URL      the cache (default $ZILCHBOOT_CACHE_URL)
  --cache-push     also check writes (credentials from the environment, as for build)
  --seed FILE      the x86_64 seed to plan with (as for plan)`;

/** The probe's bytes: under its own sha256, so uploading it twice or from two machines is harmless. */
const PROBE = Buffer.from("zilchboot cache-check probe 1\n");

export async function run(ctx: CommandContext): Promise<void> {
  const target = stageArgs(ctx, "cache-check", { min: 0, max: 1 })[0] ?? DEFAULT_TARGET;
  const seedFile = fileFlag(ctx, "seed", "a static tcc (e.g. images/tcc-seed from 'zilchboot seed')");
  const cache = await stageCacheFromFlags(ctx, recipesDir());
  if (!cache) throw new ZilchError({ code: "USAGE", message: "cache-check needs a cache: pass --cache URL or set ZILCHBOOT_CACHE_URL", hint: "e.g. zilchboot cache-check --cache http://127.0.0.1:8080/" });
  const probeKey = casPath(createHash("sha256").update(PROBE).digest("hex"));
  let failed = false;
  const fail = (line: string) => {
    failed = true;
    ctx.print(line);
  };

  // Reads: a HEAD the server may answer 200 (an earlier probe) or 404; anything else is said.
  try {
    const held = await cache.http.has(probeKey);
    ctx.print(`reads: ${cache.label} answers (HEAD ${probeKey}: ${held ? "200, an earlier check's probe" : "404"})`);
  } catch (error) {
    fail(`reads: FAILED: ${explain(error, "read")}`);
  }

  if (!failed && cache.pushing) {
    try {
      await cache.http.put(probeKey, { bytes: PROBE, contentType: "application/octet-stream" }, "probe");
      const back = await cache.http.getBytes(probeKey, PROBE.length);
      if (back === null) fail(`writes: FAILED: the server accepted PUT ${probeKey} but answers 404 for it: are reads and writes served from the same place (the URL's path, the server's root)?`);
      else if (!back.equals(PROBE)) fail(`writes: FAILED: GET ${probeKey} after PUT returned other bytes (${back.length} bytes)`);
      else ctx.print(`writes: stored ${PROBE.length} bytes under ${probeKey} and read them back`);
    } catch (error) {
      fail(`writes: FAILED: ${explain(error, "write")}`);
    }
  }
  if (failed) throw new ZilchError({ code: "STAGE", message: `cache ${cache.label} does not work for ${cache.pushing ? "reads and writes" : "reads"} (see above)`, hint: "check the URL, the server's log and, for writes, ZILCHBOOT_CACHE_USER/ZILCHBOOT_CACHE_PASSWORD or ZILCHBOOT_CACHE_TOKEN" });

  // What it holds: the plan with the cache, as a build would ask it (ignored entries warn).
  const session = createHostSession({ seedFile, log: ctx.log, cache });
  const steps = await planTarget(session, target);
  const remote = steps.filter((s) => s.verdict === "remote").map((s) => s.stage.name);
  const local = steps.filter((s) => s.verdict === "reuse").length;
  const asked = steps.filter((s) => s.verdict !== "reuse" && s.inputHash !== null).length;
  ctx.print(`holds: ${remote.length} of the ${asked} stages up to ${target} that this store lacks and whose input hash is known${remote.length > 0 ? ` (${remote.join(", ")})` : ""}; ${local} more are in the store`);
  if (remote.length === 0 && asked > 0) {
    const first = steps.find((s) => s.verdict !== "reuse" && s.inputHash !== null)!;
    ctx.print(`note: an empty cache looks like this, and so does a URL whose server answers 404 to everything (${cache.label}${acPath(first.stage.name, first.inputHash!)} for ${first.stage.name}): check the URL if entries were pushed`);
  }
}

function explain(error: unknown, doing: "read" | "write"): string {
  if (error instanceof CacheRefused) {
    const who = error.status === 401 || error.status === 403
      ? doing === "write" ? " (the write credential: ZILCHBOOT_CACHE_USER/ZILCHBOOT_CACHE_PASSWORD or ZILCHBOOT_CACHE_TOKEN)" : " (the server wants a credential for reads too)"
      : error.status === 405 || error.status === 501 ? ` (the server does not take ${doing === "write" ? "PUT: WebDAV off?" : "this method"})` : "";
    return `the server answered ${error.message}${who}`;
  }
  if (error instanceof CacheUnreachable) return `${error.message}`;
  if (error instanceof CacheOversize) return error.message;
  return (error as Error).message;
}
