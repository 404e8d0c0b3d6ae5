// A mirror is a flat collection keyed by file name: a local directory (a USB stick, an NFS
// share, another machine's cache) or an http(s) base URL.
import { copyFile, rm, stat } from "node:fs/promises";
import path from "node:path";
import { httpProvider } from "./http.js";
import { ProviderFailure, uniqueTemp, type FetchContext, type Provider } from "./provider.js";

const HINT = "fix the mirror or the pin";

export function isUrl(mirror: string): boolean {
  return /^https?:\/\//i.test(mirror);
}

export function mirrorProvider(mirror: string, file: string): Provider {
  if (isUrl(mirror)) {
    const base = mirror.endsWith("/") ? mirror : `${mirror}/`;
    return httpProvider(`mirror ${mirror}`, new URL(encodeURIComponent(file), base).href, HINT);
  }
  return directoryMirror(path.resolve(mirror));
}

function directoryMirror(dir: string): Provider {
  const label = `mirror ${dir}`;
  return {
    label,
    mismatchHint: HINT,
    async fetch(ctx: FetchContext): Promise<string> {
      const source = path.join(dir, ctx.pin.file);
      const info = await stat(source).catch(() => undefined);
      if (!info) throw new ProviderFailure(`no ${ctx.pin.file} there`);
      if (!info.isFile()) throw new ProviderFailure(`${ctx.pin.file} there is not a regular file`);
      // Copy first, verify the copy: the bytes that enter the cache are the bytes we checked.
      const temp = uniqueTemp(ctx, "copy");
      try {
        await copyFile(source, temp);
      } catch (error) {
        await rm(temp, { force: true });
        const code = (error as { code?: string }).code ?? String(error);
        throw new ProviderFailure(`cannot copy ${ctx.pin.file} (${code})`);
      }
      return ctx.deliver(temp, label);
    },
  };
}
