// `zilchboot fetch [NAME...]`
import { cacheDir } from "../paths.js";
import { fetchPinned } from "../provision.js";
import type { CommandContext } from "./context.js";
import { provisionOptions } from "./provision-flags.js";

export const help = `Fetches the named pins of recipes/sources.json (all when none are named) into the download cache
(${cacheDir()}), trying the cache, --mirror, upstream URLs, the pins' alternative files, then apt.
Every file is sha256-checked; an alternative is also checked by the hash of its unpacked tree.`;

export async function run(ctx: CommandContext): Promise<void> {
  for (const { pin, path: file, used } of await fetchPinned(ctx.positionals, provisionOptions(ctx))) {
    const via = used.alternative === undefined ? "" : `  (alternative ${used.file}, tree ${used.treeSha256})`;
    ctx.print(`${pin.name} ${pin.version}  ${pin.sha256}  ${file}${via}`);
  }
}
